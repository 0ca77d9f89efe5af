// test_quant_simd_vs_ref.cpp: every quantized *_simd128 kernel (quant_kernels.h) against its _ref
// twin in the wasm SIMD build, bit for bit (two NaNs count as equal), on odd shapes with guard
// values: the f16 -> f32 lanes on all 65536 halves and decode_f16 on every length, activations
// to 16-bit blocks (with NaN, inf, huge, subnormal and all-zero blocks), q8_0 / q4_0 / f16 products
// for N = 1 (decoding) and N > 1 (prefill) over column ranges [r0, r1) of every alignment, on
// weights both from the file encoder and from raw random bytes, and embedding rows of every dtype.
// The scalar build compiles none of it (it has no _simd128 kernels).
#include <catch2/catch.hpp>

#if defined(__wasm_simd128__)
#include <limits>

#include "kernels/quant_kernels.h"
#include "kernels/quant_simd128.h"
#include "quant_test_util.h"
#include "test_util.h"

using namespace sllm;
using namespace sllm::qtest;

namespace {

void require_same(const std::string& what, const Guarded& simd, const Guarded& ref) {
  INFO(what);
  REQUIRE(simd.guards_intact());
  REQUIRE(ref.guards_intact());
  const size_t i = first_difference(simd.data(), ref.data(), ref.n);
  if (i != ref.n) {
    INFO("first difference at " << i << ": simd " << simd[i] << " ref " << ref[i]);
    REQUIRE(false);
  }
}

std::vector<float> hostile_activations(size_t n, Rng& rng) {
  std::vector<float> x(n);
  for (size_t b = 0; b < n / 32; ++b) {
    const int kind = int(rng.below(8));
    const float s = kind == 0 ? 0.0f : kind == 1 ? 1e-41f : kind == 2 ? 3e37f : std::ldexp(1.0f, int(rng.below(21)) - 10);
    for (size_t j = 0; j < 32; ++j) x[b * 32 + j] = s * rng.normal();
    if (kind == 3) x[b * 32 + rng.below(32)] = std::numeric_limits<float>::quiet_NaN();
    if (kind == 4) x[b * 32 + rng.below(32)] = -std::numeric_limits<float>::infinity();
    if (kind == 5) x[b * 32 + 5] = 32767.0f, x[b * 32 + 6] = 2.5f, x[b * 32 + 7] = -0.5f;  // ties
  }
  return x;
}

}  // namespace

TEST_CASE("quant simd128: f16 lanes equal f16_to_f32 on all 65536 halves", "[simd_vs_ref]") {
  int bad = 0;
  for (uint32_t h = 0; h < 65536; h += 4) {
    uint16_t hs[4] = {uint16_t(h), uint16_t(h + 1), uint16_t(h + 2), uint16_t(h + 3)};
    float got[4];
    wasm_v128_store(got, qsimd::load_f16x4(reinterpret_cast<const uint8_t*>(hs)));
    for (int l = 0; l < 4; ++l) {
      const float want = f16_to_f32(hs[l]);
      bad += std::memcmp(&got[l], &want, 4) != 0;
    }
  }
  CHECK(bad == 0);
}

TEST_CASE("quant simd128: decode_f16 (the f16 KV cache's rows) equals _ref bit for bit on every length", "[simd_vs_ref]") {
  Rng rng(54);
  for (size_t n : {1, 2, 3, 4, 5, 7, 8, 9, 33, 100, 257}) {
    std::vector<uint8_t> h(2 * n);
    for (auto& b : h) b = uint8_t(rng.below(256));  // every half, inf and NaN included
    Guarded s{n}, r{n};
    decode_f16_simd128(s.data(), h.data(), n);
    decode_f16_ref(r.data(), h.data(), n);
    require_same("decode_f16 n=" + std::to_string(n), s, r);
  }
}

TEST_CASE("quant simd128: quantize_act equals _ref bit for bit, NaN/inf/huge/subnormal blocks", "[simd_vs_ref]") {
  Rng rng(51);
  for (size_t nblocks : {1, 2, 3, 7, 64}) {
    for (int rep = 0; rep < 20; ++rep) {
      const std::vector<float> x = hostile_activations(nblocks * 32, rng);
      Guarded ds(nblocks), dr(nblocks);
      std::vector<int16_t> qs(nblocks * 32 + 16, 99), qr(nblocks * 32 + 16, 99);
      quantize_act_simd128(ds.data(), qs.data(), x.data(), nblocks);
      quantize_act_ref(dr.data(), qr.data(), x.data(), nblocks);
      require_same("scales, blocks " + std::to_string(nblocks), ds, dr);
      INFO("blocks " << nblocks);
      REQUIRE(qs == qr);  // including the 16 guard bytes after the end (still 99)
      REQUIRE(qs.back() == 99);
    }
  }
}

TEST_CASE("quant simd128: q8_0 / q4_0 / f16 products equal _ref bit for bit, any rows, any range", "[simd_vs_ref]") {
  Rng rng(52);
  int cases = 0;
  for (DType t : {DType::Q8_0, DType::Q4_0, DType::F16})
    for (int K : {32, 64, 96, 160, 288})
      for (int OC : {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 17, 33})
        for (int N : {1, 2, 5})
          for (bool raw : {false, true}) {
            const int Kf = t == DType::F16 ? K + OC % 5 : K;  // f16 rows need not be blocks
            const Matrix m = raw ? raw_matrix(t, OC, Kf, rng) : encoded_matrix(t, OC, Kf, rng);
            const std::vector<float> x = hostile_activations(size_t(N) * size_t(Kf) / 32 * 32 + 32, rng);
            const std::vector<float> bias = sllm::test::random_vec(size_t(OC), rng);
            const size_t nb = size_t(N) * size_t(Kf / 32);
            std::vector<float> xd(nb);
            std::vector<int16_t> xq(nb * 32);
            quantize_act_ref(xd.data(), xq.data(), x.data(), nb);
            // The whole range, and a range starting and ending off the 4-row tiles.
            const int r0s[] = {0, OC > 2 ? 1 : 0}, r1s[] = {OC, OC > 3 ? OC - 1 : OC};
            for (int v = 0; v < 2; ++v)
              for (const float* b : {static_cast<const float*>(nullptr), bias.data()}) {
                const std::vector<float> init(size_t(N) * size_t(OC), 3.0f);
                Guarded ys(init.size(), init), yr(init.size(), init);
                if (t == DType::F16) {
                  matmul_f16_simd128(F16MatmulArgs{ys.data(), m.bytes.data(), x.data(), b, N, Kf, OC}, r0s[v], r1s[v]);
                  matmul_f16_ref(F16MatmulArgs{yr.data(), m.bytes.data(), x.data(), b, N, Kf, OC}, r0s[v], r1s[v]);
                } else {
                  const QMatmulArgs as{ys.data(), m.bytes.data(), xd.data(), xq.data(), b, N, K, OC};
                  const QMatmulArgs ar{yr.data(), m.bytes.data(), xd.data(), xq.data(), b, N, K, OC};
                  if (t == DType::Q8_0) {
                    matmul_q8_0_simd128(as, r0s[v], r1s[v]);
                    matmul_q8_0_ref(ar, r0s[v], r1s[v]);
                  } else {
                    matmul_q4_0_simd128(as, r0s[v], r1s[v]);
                    matmul_q4_0_ref(ar, r0s[v], r1s[v]);
                  }
                }
                require_same(shape_name(raw ? "raw" : "encoded", t, N, Kf, OC) + " r0=" + std::to_string(r0s[v]) +
                                 " r1=" + std::to_string(r1s[v]) + (b ? " bias" : ""),
                             ys, yr);
                ++cases;
              }
          }
  CHECK(cases > 1000);
}

TEST_CASE("quant simd128: embedding rows equal _ref bit for bit for every dtype", "[simd_vs_ref]") {
  Rng rng(53);
  for (DType t : {DType::F32, DType::F16, DType::Q8_0, DType::Q4_0})
    for (int cols : {32, 64, 96, 800})
      for (int extra : {0, 1, 3}) {
        const int c = t == DType::F16 || t == DType::F32 ? cols + extra : cols;
        const Matrix m = t == DType::F32 ? encoded_matrix(t, 3, c, rng) : raw_matrix(t, 3, c, rng);
        for (int row = 0; row < 3; ++row) {
          Guarded s{size_t(c)}, r{size_t(c)};
          embedding_row_simd128(s.data(), m.view(), row);
          embedding_row_ref(r.data(), m.view(), row);
          require_same(std::string("embedding ") + dtype_name(t) + " cols " + std::to_string(c) + " row " +
                           std::to_string(row), s, r);
        }
      }
}

#endif  // __wasm_simd128__
