// test_quant_batched.cpp: the batched (prefill) form of the q8_0 / q4_0 products against the
// single-row (decoding) form, bit for bit: every row of an N-row call equals the 1-row call on that
// row alone, and the dispatched kernel equals the _ref batch, on odd shapes (N = 1, 2, 3, 5, 7,
// 130; OC odd and across the kernels' strips and tiles; K = 32, 96, 800), column ranges of every
// alignment, raw and encoded weights, hostile activations (zero, NaN, inf, subnormal and huge
// blocks), with guard values around the output and the columns outside the range left alone.
// Natively the dispatch is the _ref itself (strips for N >= 4, rows below); in the wasm SIMD
// builds (native-tests/wasm runs this file as-is) it is the _simd128 kernel's 2 x 2 tiles.
#include <catch2/catch.hpp>

#include <limits>

#include "kernels/quant_kernels.h"
#include "quant_test_util.h"
#include "test_util.h"

using namespace sllm;
using namespace sllm::qtest;

namespace {

std::vector<float> hostile_rows(int N, int K, Rng& rng) {
  std::vector<float> x(size_t(N) * size_t(K));
  for (size_t b = 0; b < x.size() / 32; ++b) {
    const int kind = int(rng.below(10));
    const float s = kind == 0 ? 0.0f : kind == 1 ? 1e-41f : kind == 2 ? 3e37f : std::ldexp(1.0f, int(rng.below(21)) - 10);
    for (size_t j = 0; j < 32; ++j) x[b * 32 + j] = s * rng.normal();
    if (kind == 3) x[b * 32 + rng.below(32)] = std::numeric_limits<float>::quiet_NaN();
    if (kind == 4) x[b * 32 + rng.below(32)] = std::numeric_limits<float>::infinity();
  }
  return x;
}

using Kernel = void (*)(const QMatmulArgs&, int, int);

void require_equal(const std::string& what, const Guarded& got, const Guarded& want) {
  INFO(what);
  REQUIRE(got.guards_intact());
  REQUIRE(want.guards_intact());
  const size_t i = first_difference(got.data(), want.data(), want.n);
  if (i != want.n) {
    INFO("first difference at " << i << ": " << got[i] << " vs " << want[i]);
    REQUIRE(false);
  }
}

}  // namespace

TEST_CASE("quantized batch rows equal single-row calls and the _ref batch bit for bit, odd shapes", "[kernels][quant]") {
  Rng rng(61);
  int cases = 0;
  for (DType t : {DType::Q8_0, DType::Q4_0}) {
    const Kernel kernel = t == DType::Q8_0 ? Kernel(matmul_q8_0) : Kernel(matmul_q4_0);
    const Kernel ref = t == DType::Q8_0 ? Kernel(matmul_q8_0_ref) : Kernel(matmul_q4_0_ref);
    for (int K : {32, 96, 800})
      for (int OC : {1, 3, 17, 33, 37})
        for (int N : {1, 2, 3, 5, 7, 130}) {
          const bool raw = (K + OC + N) % 2 == 0;
          const Matrix m = raw ? raw_matrix(t, OC, K, rng) : encoded_matrix(t, OC, K, rng);
          const std::vector<float> x = hostile_rows(N, K, rng), bias = sllm::test::random_vec(size_t(OC), rng);
          const int nb = K / 32;
          std::vector<float> xd(size_t(N) * size_t(nb));
          std::vector<int16_t> xq(size_t(N) * size_t(K));
          quantize_act_ref(xd.data(), xq.data(), x.data(), size_t(N) * size_t(nb));
          // The whole range, and one starting and ending off every tile and strip boundary.
          const int r0s[] = {0, OC > 2 ? 1 : 0}, r1s[] = {OC, OC > 3 ? OC - 2 : OC};
          for (int v = 0; v < 2; ++v) {
            const int r0 = r0s[v], r1 = r1s[v];
            const float* b = v ? bias.data() : nullptr;
            const std::vector<float> init(size_t(N) * size_t(OC), 3.0f);
            Guarded batch(init.size(), init), want(init.size(), init), rows(init.size(), init);
            kernel(QMatmulArgs{batch.data(), m.bytes.data(), xd.data(), xq.data(), b, N, K, OC}, r0, r1);
            ref(QMatmulArgs{want.data(), m.bytes.data(), xd.data(), xq.data(), b, N, K, OC}, r0, r1);
            for (int i = 0; i < N; ++i)  // each row alone, as decoding calls it (the _ref's row form)
              ref(QMatmulArgs{rows.data() + size_t(i) * size_t(OC), m.bytes.data(), xd.data() + size_t(i) * size_t(nb),
                              xq.data() + size_t(i) * size_t(K), b, 1, K, OC},
                  r0, r1);
            const std::string name = shape_name(raw ? "raw" : "encoded", t, N, K, OC) + " r0=" + std::to_string(r0) +
                                     " r1=" + std::to_string(r1) + (b ? " bias" : "");
            require_equal(name + " (batch vs _ref batch)", batch, want);
            require_equal(name + " (batch vs single rows)", batch, rows);
            bool outside_untouched = true;
            for (int i = 0; i < N; ++i)
              for (int o = 0; o < OC; ++o)
                if (o < r0 || o >= r1) outside_untouched &= batch[size_t(i) * size_t(OC) + size_t(o)] == 3.0f;
            INFO(name);
            REQUIRE(outside_untouched);
            ++cases;
          }
        }
  }
  CHECK(cases == 2 * 3 * 5 * 6 * 2);
}

TEST_CASE("quantized batched linear layer equals decoding's one-row layer on every row", "[kernels][quant]") {
  // Through linear_forward (activation quantization included), as prefill and decoding call it.
  Rng rng(62);
  for (DType t : {DType::Q8_0, DType::Q4_0})
    for (int N : {2, 7, 130}) {
      const int K = 96, OC = 37;
      const Matrix m = encoded_matrix(t, OC, K, rng);
      std::vector<float> x(size_t(N) * size_t(K));
      for (auto& v : x) v = rng.normal();
      const std::vector<float> bias = sllm::test::random_vec(size_t(OC), rng);
      Guarded batch(size_t(N) * size_t(OC)), rows(size_t(N) * size_t(OC));
      LinearScratch s;
      linear_forward(batch.data(), x.data(), m.view(), bias.data(), N, s);
      for (int i = 0; i < N; ++i)
        linear_forward(rows.data() + size_t(i) * size_t(OC), x.data() + size_t(i) * size_t(K), m.view(), bias.data(), 1, s);
      require_equal(shape_name("linear", t, N, K, OC), batch, rows);
    }
}
