// test_simd_vs_ref_llama.cpp: the llama family's *_simd128 kernels against their _ref twins in the
// wasm SIMD build, on odd shapes with guard values around every output: RoPE and SwiGLU bit for
// bit (same operations in the same order, lane-wise), RMSNorm's dweight and out given rstd
// exactly, and what sums a row in f32x4 lanes (RMSNorm's rstd and dinp, the one-token attention
// step's softmax) to a relative 1e-5. In the scalar build this file is empty.
#include <catch2/catch.hpp>

#if defined(__wasm_simd128__)
#include <string>
#include <vector>

#include "core/rng.h"
#include "kernels/kernels.h"
#include "simd_test_util.h"

using namespace sllm;
using namespace sllm::simd_test;

TEST_CASE("rmsnorm_simd128 forward and backward agree with _ref", "[simd_vs_ref]") {
  Rng rng(41);
  for (int C : kSizes)
    for (int N : {1, 3}) {
      const size_t n = size_t(N) * C;
      const std::string shape = " N=" + std::to_string(N) + " C=" + std::to_string(C);
      auto x = randn(n, rng, 2.0f), w = randn(size_t(C), rng), dy = randn(n, rng), dx0 = randn(n, rng);
      auto dw0 = randn(size_t(C), rng);
      Out ys(n), yr(n), rs(static_cast<size_t>(N)), rr(static_cast<size_t>(N));
      rmsnorm_forward_simd128(ys.data(), rs.data(), x.data(), w.data(), N, C, 1e-5f);
      rmsnorm_forward_ref(yr.data(), rr.data(), x.data(), w.data(), N, C, 1e-5f);
      require_close("rmsnorm rstd" + shape, rs, rr, kRtol, 0);
      require_close("rmsnorm out" + shape, ys, yr, kRtol, 1e-6);
      Out dxs(n, dx0), dxr(n, dx0), dws(static_cast<size_t>(C), dw0), dwr(static_cast<size_t>(C), dw0);
      // Both from the _ref rstd, so dweight's per-element products are the same operations.
      rmsnorm_backward_dinp_simd128(dxs.data(), dy.data(), x.data(), w.data(), rr.data(), N, C);
      rmsnorm_backward_dinp_ref(dxr.data(), dy.data(), x.data(), w.data(), rr.data(), N, C);
      rmsnorm_backward_dweight_simd128(dws.data(), dy.data(), x.data(), rr.data(), N, C, 0, C);
      rmsnorm_backward_dweight_ref(dwr.data(), dy.data(), x.data(), rr.data(), N, C, 0, C);
      require_exact("rmsnorm dweight" + shape, dws, dwr);
      require_close("rmsnorm dinp" + shape, dxs, dxr, kRtol, 1e-6);
    }
}

TEST_CASE("rope_simd128 forward and backward equal _ref bit for bit", "[simd_vs_ref]") {
  Rng rng(42);
  for (int hs : {2, 4, 6, 8, 14, 64}) {
    const int maxT = 40, B = 2, T = 9, heads = 3, ld = heads * hs + 5;
    std::vector<float> c2(size_t(maxT) * hs), s2(c2.size());
    rope_table(c2.data(), s2.data(), maxT, hs, 10000.0f);
    auto x = randn(size_t(B) * T * ld, rng);
    for (int pos0 : {0, 31}) {
      const std::string shape = " hs=" + std::to_string(hs) + " pos0=" + std::to_string(pos0);
      Out s(x.size(), x), r(x.size(), x);
      rope_forward_simd128(s.data(), B, T, ld, heads, hs, pos0, c2.data(), s2.data());
      rope_forward_ref(r.data(), B, T, ld, heads, hs, pos0, c2.data(), s2.data());
      require_exact("rope_forward" + shape, s, r);
      rope_backward_simd128(s.data(), B, T, ld, heads, hs, pos0, c2.data(), s2.data());
      rope_backward_ref(r.data(), B, T, ld, heads, hs, pos0, c2.data(), s2.data());
      require_exact("rope_backward" + shape, s, r);
    }
  }
}

TEST_CASE("swiglu_simd128 forward and backward equal _ref bit for bit", "[simd_vs_ref]") {
  Rng rng(43);
  for (int F : kSizes)
    for (int N : {1, 3}) {
      const std::string shape = " N=" + std::to_string(N) + " F=" + std::to_string(F);
      auto gu = randn(size_t(N) * 2 * F, rng, 4.0f), dh = randn(size_t(N) * F, rng), d0 = randn(gu.size(), rng);
      Out hs(static_cast<size_t>(N * F)), hr(static_cast<size_t>(N * F));
      swiglu_forward_simd128(hs.data(), gu.data(), N, F);
      swiglu_forward_ref(hr.data(), gu.data(), N, F);
      require_exact("swiglu_forward" + shape, hs, hr);
      Out ds(gu.size(), d0), dr(gu.size(), d0);
      swiglu_backward_simd128(ds.data(), gu.data(), dh.data(), N, F);
      swiglu_backward_ref(dr.data(), gu.data(), dh.data(), N, F);
      require_exact("swiglu_backward" + shape, ds, dr);
    }
}

TEST_CASE("attention_step_simd128 agrees with _ref (grouped-query heads, odd head sizes)", "[simd_vs_ref]") {
  Rng rng(44);
  for (int hs : {1, 3, 4, 7, 16, 64})
    for (int Tk : {1, 2, 5, 33, 100})
      for (int NKV : {1, 2}) {
        const int NH = 4, ldkv = NKV * hs + 3;
        const std::string shape =
            " hs=" + std::to_string(hs) + " Tk=" + std::to_string(Tk) + " NKV=" + std::to_string(NKV);
        auto q = randn(size_t(NH) * hs, rng), k = randn(size_t(Tk) * ldkv, rng), v = randn(k.size(), rng);
        Out os(static_cast<size_t>(NH * hs)), orf(static_cast<size_t>(NH * hs)), ss(static_cast<size_t>(Tk)), sr(static_cast<size_t>(Tk));
        attention_step_simd128(os.data(), q.data(), k.data(), v.data(), ldkv, Tk, NH, NKV, hs, 0, NH, ss.data());
        attention_step_ref(orf.data(), q.data(), k.data(), v.data(), ldkv, Tk, NH, NKV, hs, 0, NH, sr.data());
        require_close("attention_step" + shape, os, orf, kRtol, 1e-6);
      }
}

#endif  // __wasm_simd128__
