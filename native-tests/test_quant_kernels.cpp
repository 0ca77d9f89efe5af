// test_quant_kernels.cpp: the quantized kernels (quant_kernels.h) through their dispatching
// names (natively the _ref versions; in the wasm SIMD build the _simd128 ones; the SIMD-vs-_ref
// bit-for-bit comparison is native-tests/wasm/test_quant_simd_vs_ref.cpp). Checked against
// independent references on odd shapes with guard values:
// - q8_0 / q4_0 products against the dequantized matrix times x in double. Two bounds: against
//   the dequantized activations (only float rounding: (nb + 2) * 2^-20 of the sum of |terms|),
//   and against x itself, where the kernel's only approximation is the activation rounding
//   (each |x - d q| <= 0.505 d, d = amax / 32767, so the output moves by at most
//   sum_b 0.505 d_b sum |w|).
// - f16 products equal matvec_ref on the decoded matrix bit for bit; embedding rows equal the
//   file decoder's; a batch of N rows equals N single-row calls, and any split of the output
//   columns equals the whole, bit for bit.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "kernels/quant_kernels.h"
#include "model/model.h"
#include "quant_test_util.h"
#include "test_util.h"

using namespace sllm;
using namespace sllm::qtest;
using sllm::test::random_vec;

namespace {

const int kK[] = {32, 64, 96, 160, 800};
const int kOC[] = {1, 2, 3, 4, 5, 7, 9, 17, 33};

struct QuantX {
  std::vector<float> d;
  std::vector<int16_t> q;
};
QuantX quantize(const std::vector<float>& x, int K) {
  QuantX a{std::vector<float>(x.size() / size_t(K) * size_t(K / 32)), std::vector<int16_t>(x.size())};
  quantize_act(a.d.data(), a.q.data(), x.data(), a.d.size());
  return a;
}

// Activations with blocks of very different magnitudes, and an all-zero block.
std::vector<float> activations(int N, int K, Rng& rng) {
  std::vector<float> x(size_t(N) * size_t(K));
  for (size_t b = 0; b < x.size() / 32; ++b) {
    const float s = b == 1 ? 0.0f : std::ldexp(1.0f, int(rng.below(17)) - 8);
    for (size_t j = 0; j < 32; ++j) x[b * 32 + j] = s * rng.normal();
  }
  return x;
}

void run_linear(Guarded& y, const Matrix& m, const std::vector<float>& x, const float* bias, int N, int r0, int r1) {
  LinearScratch s;
  linear_prepare(x.data(), m.view(), N, s);
  linear_rows(y.data(), m.rows, x.data(), m.view(), bias, N, s, r0, r1);
}

}  // namespace

TEST_CASE("f16_to_f32_fast equals f16_to_f32 on all 65536 halves", "[kernels][quant]") {
  int bad = 0;
  for (uint32_t h = 0; h < 65536; ++h) {
    const float a = f16_to_f32_fast(uint16_t(h)), b = f16_to_f32(uint16_t(h));
    bad += std::memcmp(&a, &b, 4) != 0;
  }
  CHECK(bad == 0);
}

TEST_CASE("quantize_act: scale amax/32767, values within half a step, ties to even, zero and NaN", "[kernels][quant]") {
  Rng rng(41);
  std::vector<float> x = activations(3, 96, rng);
  x[40] = std::nanf("");  // in block 1 (otherwise zero): NaN gives q = 0 and does not set the scale
  x[64] = 32767.0f;  // block 2: scale exactly 1, so x = 2.5 and 3.5 are ties
  x[65] = 2.5f;
  x[66] = 3.5f;
  x[67] = -2.5f;
  for (int j = 68; j < 96; ++j) x[size_t(j)] = 0.25f * float(j - 80);
  QuantX a = quantize(x, 96);
  for (size_t b = 0; b < a.d.size(); ++b) {
    float amax = 0;
    for (int j = 0; j < 32; ++j)
      if (!std::isnan(x[b * 32 + size_t(j)])) amax = std::fmax(amax, std::fabs(x[b * 32 + size_t(j)]));
    INFO("block " << b);
    REQUIRE(a.d[b] == amax / 32767.0f);
    for (int j = 0; j < 32; ++j) {
      const float v = x[b * 32 + size_t(j)];
      const int q = a.q[b * 32 + size_t(j)];
      if (std::isnan(v)) {
        REQUIRE(q == 0);
      } else {
        REQUIRE(std::abs(q) <= 32767);
        // Half a step, plus x * (1/d)'s two roundings (relative 2^-23 of up to 32767).
        REQUIRE(std::fabs(double(v) - double(a.d[b]) * q) <= 0.505 * a.d[b]);
      }
    }
  }
  CHECK(a.d[1] == 0.0f);
  CHECK((a.q[64] == 32767 && a.q[65] == 2 && a.q[66] == 4 && a.q[67] == -2));
}

TEST_CASE("q8_0 and q4_0 products equal the dequantized product within the activation rounding", "[kernels][quant]") {
  Rng rng(42);
  int cases = 0;
  for (DType t : {DType::Q8_0, DType::Q4_0})
    for (int K : kK)
      for (int OC : kOC)
        for (int N : {1, 3}) {
          const Matrix m = encoded_matrix(t, OC, K, rng);
          const std::vector<float> w = m.decoded(), x = activations(N, K, rng), bias = random_vec(size_t(OC), rng);
          const QuantX xa = quantize(x, K);
          Guarded y(size_t(N) * size_t(OC));
          run_linear(y, m, x, bias.data(), N, 0, OC);
          INFO(shape_name("linear", t, N, K, OC));
          REQUIRE(y.guards_intact());
          const int nb = K / 32;
          for (int i = 0; i < N; ++i)
            for (int o = 0; o < OC; ++o) {
              double exact_q = 0, abs_q = 0, exact = 0, step = 0;  // x dequantized; x itself
              for (int b = 0; b < nb; ++b) {
                const double d = xa.d[size_t(i * nb + b)];
                double wabs = 0;
                for (int j = 0; j < 32; ++j) {
                  const size_t c = size_t(b * 32 + j);
                  const double wv = w[size_t(o) * size_t(K) + c];
                  exact_q += wv * d * xa.q[size_t(i) * size_t(K) + c];
                  abs_q += std::fabs(wv * d * xa.q[size_t(i) * size_t(K) + c]);
                  exact += wv * x[size_t(i) * size_t(K) + c];
                  wabs += std::fabs(wv);
                }
                step += 0.505 * d * wabs;
              }
              const double got = double(y[size_t(i) * size_t(OC) + size_t(o)]) - bias[size_t(o)];
              const double rounding = (nb + 2) * std::ldexp(1.0, -20) * abs_q + 1e-6 * std::fabs(bias[size_t(o)]);
              INFO("row " << i << " col " << o << ": got " << got << ", dequantized x " << exact_q << ", x " << exact);
              REQUIRE(std::fabs(got - exact_q) <= rounding);
              REQUIRE(std::fabs(got - exact) <= step + rounding);
              ++cases;
            }
        }
  CHECK(cases > 1000);
}

TEST_CASE("quantized products: exact integer sums on raw blocks (int8 -128, every nibble, subnormal scales)", "[kernels][quant]") {
  Rng rng(43);
  for (DType t : {DType::Q8_0, DType::Q4_0})
    for (int K : {32, 160}) {
      const int OC = 7, N = 2, nb = K / 32;
      const Matrix m = raw_matrix(t, OC, K, rng);
      const std::vector<float> x = activations(N, K, rng);
      const QuantX xa = quantize(x, K);
      Guarded y(size_t(N) * size_t(OC));
      run_linear(y, m, x, nullptr, N, 0, OC);
      REQUIRE(y.guards_intact());
      const size_t bb = t == DType::Q8_0 ? 34 : 18;
      for (int i = 0; i < N; ++i)
        for (int o = 0; o < OC; ++o) {
          double want = 0, abs_sum = 0;
          for (int b = 0; b < nb; ++b) {  // integer sums from the block bytes, independently
            const uint8_t* blk = m.bytes.data() + (size_t(o) * size_t(nb) + size_t(b)) * bb;
            long isum = 0;
            for (int j = 0; j < 32; ++j) {
              const int wq = t == DType::Q8_0 ? int(int8_t(blk[2 + j])) : (j < 16 ? (blk[2 + j] & 15) : (blk[2 + j - 16] >> 4)) - 8;
              isum += long(wq) * xa.q[size_t(i) * size_t(K) + size_t(b * 32 + j)];
            }
            const double term = double(f16_to_f32(uint16_t(blk[0] | blk[1] << 8))) * xa.d[size_t(i * nb + b)] * double(isum);
            want += term;
            abs_sum += std::fabs(term);
          }
          INFO(shape_name("raw", t, N, K, OC) << " row " << i << " col " << o);
          REQUIRE(std::fabs(y[size_t(i) * size_t(OC) + size_t(o)] - want) <= (nb + 2) * std::ldexp(1.0, -20) * abs_sum);
        }
    }
}

TEST_CASE("f16 products equal matvec_ref on the decoded matrix bit for bit", "[kernels][quant]") {
  Rng rng(44);
  for (int K : {1, 3, 4, 5, 17, 33, 100})
    for (int OC : kOC) {
      const Matrix m = encoded_matrix(DType::F16, OC, K, rng);
      const std::vector<float> w = m.decoded(), x = random_vec(size_t(K) * 3, rng), bias = random_vec(size_t(OC), rng);
      Guarded y(size_t(OC) * 3), want(size_t(OC) * 3);
      run_linear(y, m, x, bias.data(), 3, 0, OC);
      for (int i = 0; i < 3; ++i)
        matvec_ref(want.data() + size_t(i) * size_t(OC), w.data(), x.data() + size_t(i) * size_t(K), bias.data(), K, OC);
      INFO(shape_name("f16", DType::F16, 3, K, OC));
      REQUIRE(y.guards_intact());
      REQUIRE(first_difference(y.data(), want.data(), y.n) == y.n);
    }
}

TEST_CASE("a batch equals single rows and any split of the columns equals the whole, bit for bit", "[kernels][quant]") {
  Rng rng(45);
  for (DType t : {DType::F16, DType::Q8_0, DType::Q4_0})
    for (int K : {32, 96})
      for (int OC : {1, 5, 9, 33}) {
        const int N = 5;
        const Matrix m = encoded_matrix(t, OC, K, rng);
        const std::vector<float> x = activations(N, K, rng), bias = random_vec(size_t(OC), rng);
        const size_t n = size_t(N) * size_t(OC);
        Guarded whole(n), split(n, std::vector<float>(n, 7.0f)), rows(n);
        run_linear(whole, m, x, bias.data(), N, 0, OC);
        // Columns in uneven pieces (1, 2, 3, ... wide), the way threads would split them.
        for (int r0 = 0, w = 1; r0 < OC; r0 += w, ++w) run_linear(split, m, x, bias.data(), N, r0, std::min(OC, r0 + w));
        for (int i = 0; i < N; ++i) {
          Guarded one{size_t(OC)};
          std::vector<float> xi(x.begin() + i * K, x.begin() + (i + 1) * K);
          run_linear(one, m, xi, bias.data(), 1, 0, OC);
          REQUIRE(one.guards_intact());
          std::memcpy(rows.data() + size_t(i) * size_t(OC), one.data(), size_t(OC) * 4);
        }
        INFO(shape_name("split", t, N, K, OC));
        REQUIRE((whole.guards_intact() && split.guards_intact()));
        REQUIRE(first_difference(whole.data(), split.data(), whole.n) == whole.n);
        REQUIRE(first_difference(whole.data(), rows.data(), whole.n) == whole.n);
      }
}

TEST_CASE("linear on f32 weights is matvec (one row) and matmul_forward (a batch)", "[kernels][quant]") {
  Rng rng(46);
  for (int K : {1, 17, 64})
    for (int OC : {1, 5, 33})
      for (int N : {1, 4}) {
        const Matrix m = encoded_matrix(DType::F32, OC, K, rng);
        const std::vector<float> w = m.decoded(), x = random_vec(size_t(N) * size_t(K), rng);
        const std::vector<float> bias = random_vec(size_t(OC), rng);
        Guarded y(size_t(N) * size_t(OC)), want(size_t(N) * size_t(OC));
        run_linear(y, m, x, bias.data(), N, 0, OC);
        if (N == 1)
          matvec(want.data(), w.data(), x.data(), bias.data(), K, OC);
        else
          matmul_forward(want.data(), x.data(), w.data(), bias.data(), N, K, OC);
        INFO(shape_name("f32", DType::F32, N, K, OC));
        REQUIRE(y.guards_intact());
        REQUIRE(first_difference(y.data(), want.data(), y.n) == y.n);
      }
}

TEST_CASE("embedding_row returns the file decoder's values for every dtype", "[kernels][quant]") {
  Rng rng(47);
  for (DType t : {DType::F32, DType::F16, DType::Q8_0, DType::Q4_0})
    for (int cols : {32, 96, 800}) {
      const Matrix m = t == DType::F32 ? encoded_matrix(t, 5, cols, rng) : raw_matrix(t, 5, cols, rng);
      const std::vector<float> all = m.decoded();
      for (int row : {0, 2, 4}) {
        Guarded out{size_t(cols)};
        embedding_row(out.data(), m.view(), row);
        INFO(dtype_name(t) << " cols " << cols << " row " << row);
        REQUIRE(out.guards_intact());
        REQUIRE(first_difference(out.data(), all.data() + size_t(row) * size_t(cols), out.n) == out.n);
      }
    }
}

TEST_CASE("a quantized matrix whose rows are not a multiple of 32 values gets a clear error", "[kernels][quant]") {
  std::vector<uint8_t> bytes(4096);
  for (DType t : {DType::Q8_0, DType::Q4_0})
    for (int cols : {1, 31, 33, 48, 100}) {
      INFO(dtype_name(t) << " cols " << cols);
      try {
        make_weight_view(t, bytes.data(), 2, cols, "blocks.0.attn_qkv.weight");
        FAIL("no error");
      } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        const std::string msg = e.what();
        CHECK(msg.find("blocks.0.attn_qkv.weight") != std::string::npos);
        CHECK(msg.find("not a multiple of 32") != std::string::npos);
      }
    }
  CHECK(make_weight_view(DType::F16, bytes.data(), 2, 33, "f16 rows may be any length").cols == 33);
  CHECK(make_weight_view(DType::Q8_0, bytes.data(), 2, 64, "q8_0").row_bytes() == 68);
  CHECK_THROWS_AS(make_weight_view(DType::F32, bytes.data(), 0, 4, "empty"), Error);
}

TEST_CASE("f32 weights this build cannot hold are refused before allocating, saying what to do", "[kernels][quant]") {
  ModelConfig c;  // the message names the parameter count; the size checked is the one given
  const uint64_t two_gib_of_floats = uint64_t(1) << 29;
  if (sizeof(size_t) < 8) {  // 32-bit WebAssembly: at most 2 GiB in one array
    CHECK_NOTHROW(check_weights_fit(c, two_gib_of_floats / 2));
    try {
      check_weights_fit(c, two_gib_of_floats + 1);
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::OutOfMemory);
      CHECK(std::string(e.what()).find("keep it quantized") != std::string::npos);
    }
  } else {
    CHECK_NOTHROW(check_weights_fit(c, two_gib_of_floats + 1));
    CHECK_THROWS_AS(check_weights_fit(c, uint64_t(1) << 62), Error);
  }
}
