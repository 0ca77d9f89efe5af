// test_simd_vs_ref.cpp: every *_simd128 kernel against its _ref twin, in the wasm SIMD build, on
// odd shapes (1, 3, 4, 5, 4k+1, 17, 33, 100, 257, ...) with guard values around every output
// buffer. Where both versions do the same float operations in the same order the outputs must
// be bit for bit equal (gemm, matvec, bias_backward, gelu, residual/add/mul, adamw, scale,
// cross-entropy backward, layernorm's dweight/dbias, exp/tanh); where the SIMD version sums a
// row in f32x4 lanes (layernorm mean/rstd/out/dinp, softmax, cross-entropy forward,
// sum_squares) they must agree to a relative 1e-5 (rtol) plus a small absolute term (atol).
// In the scalar build the _simd128 kernels do not exist; there the file checks that dispatch
// picks the _ref kernels. The llama family's kernels are in test_simd_vs_ref_llama.cpp.
#include <catch2/catch.hpp>

#if defined(__wasm_simd128__)
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/rng.h"
#include "kernels/kernels.h"
#include "kernels/simd128.h"
#include "simd_test_util.h"

using namespace sllm;

using namespace sllm::simd_test;

TEST_CASE("simd128 exp/tanh equal fastmath's scalar exp_approx/tanh_approx bit for bit", "[simd_vs_ref]") {
  std::vector<float> xs;
  for (float x = -120.0f; x <= 120.0f; x += 0.0137f) xs.push_back(x);
  const float inf = std::numeric_limits<float>::infinity();
  for (float x : {0.0f, -0.0f, 88.0f, 88.01f, 88.7f, -87.3f, -87.31f, 9.0f, -9.0f, 1e-30f, -1e-30f, inf, -inf})
    xs.push_back(x);
  size_t bad_exp = 0, bad_tanh = 0;
  for (size_t i = 0; i + 4 <= xs.size(); i += 4) {
    float e[4], t[4];
    simd::store(e, simd::exp(simd::load(&xs[i])));
    simd::store(t, simd::tanh(simd::load(&xs[i])));
    for (int l = 0; l < 4; ++l) {
      float re = exp_approx(xs[i + l]), rt = tanh_approx(xs[i + l]);
      bad_exp += std::memcmp(&e[l], &re, 4) != 0;
      bad_tanh += std::memcmp(&t[l], &rt, 4) != 0;
    }
  }
  CHECK(bad_exp == 0);
  CHECK(bad_tanh == 0);
  // NaN stays NaN (its bits are not specified by wasm, so only NaN-ness is compared).
  const float nan = std::numeric_limits<float>::quiet_NaN();
  float e[4], t[4], in[4] = {nan, 1.0f, nan, -1.0f};
  simd::store(e, simd::exp(simd::load(in)));
  simd::store(t, simd::tanh(simd::load(in)));
  CHECK((std::isnan(e[0]) && std::isnan(e[2]) && std::isnan(t[0]) && std::isnan(t[2])));
  CHECK((std::isnan(exp_approx(nan)) && std::isnan(tanh_approx(nan))));
  CHECK((e[1] == exp_approx(1.0f) && t[3] == tanh_approx(-1.0f)));
}

TEST_CASE("gemm_simd128 equals gemm_ref bit for bit: all transposes, accumulate, padded strides", "[simd_vs_ref]") {
  Rng rng(21);
  std::vector<int> dims(std::begin(kSizes), std::end(kSizes));
  int cases = 0;
  auto run = [&](int M, int N, int K) {
    for (int variant = 0; variant < 8; ++variant) {
      const bool ta = variant & 1, tb = variant & 2, acc = variant & 4;
      const int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 1, ldc = N + 2;  // padded rows
      auto A = randn(size_t(ta ? K : M) * lda, rng), B = randn(size_t(tb ? N : K) * ldb, rng);
      auto C0 = randn(size_t(M) * ldc, rng);
      // The padding of each row of C must survive too: the whole (M, ldc) block is compared.
      Out cs(C0.size(), C0), cr(C0.size(), C0);
      gemm_simd128(GemmArgs{M, N, K, A.data(), lda, ta, B.data(), ldb, tb, cs.data(), ldc, acc});
      gemm_ref(GemmArgs{M, N, K, A.data(), lda, ta, B.data(), ldb, tb, cr.data(), ldc, acc});
      require_exact("gemm M=" + std::to_string(M) + " N=" + std::to_string(N) + " K=" + std::to_string(K) +
                        " ta=" + std::to_string(ta) + " tb=" + std::to_string(tb) + " acc=" + std::to_string(acc),
                    cs, cr);
      ++cases;
    }
  };
  for (int M : dims)
    for (int N : dims)
      for (int K : {1, 3, 4, 5, 17, 32, 64, 257, 300})
        if (size_t(M) * N * K <= 600000) run(M, N, K);
  // Beyond one cache block in each direction (MC = 96, KC = 256, NC = 512), and K = 0.
  run(197, 9, 5);
  run(5, 1029, 7);
  run(6, 13, 513);
  run(4, 8, 0);
  CHECK(cases > 1000);
}

TEST_CASE("matvec_simd128 and bias_backward_simd128 equal their _ref bit for bit", "[simd_vs_ref]") {
  Rng rng(22);
  for (int C : kSizes)
    for (int OC : kSizes)
      for (bool with_bias : {false, true}) {
        auto w = randn(size_t(OC) * C, rng), x = randn(size_t(C), rng), b = randn(size_t(OC), rng);
        Out ys(static_cast<size_t>(OC)), yr(static_cast<size_t>(OC));
        matvec_simd128(ys.data(), w.data(), x.data(), with_bias ? b.data() : nullptr, C, OC);
        matvec_ref(yr.data(), w.data(), x.data(), with_bias ? b.data() : nullptr, C, OC);
        require_exact("matvec C=" + std::to_string(C) + " OC=" + std::to_string(OC), ys, yr);
      }
  for (int N : kSizes)
    for (int OC : kSizes) {
      auto dout = randn(size_t(N) * OC, rng), db0 = randn(size_t(OC), rng);
      Out ds(static_cast<size_t>(OC), db0), dr(static_cast<size_t>(OC), db0);
      bias_backward_simd128(ds.data(), dout.data(), N, OC);
      bias_backward_ref(dr.data(), dout.data(), N, OC);
      require_exact("bias_backward N=" + std::to_string(N) + " OC=" + std::to_string(OC), ds, dr);
    }
}

TEST_CASE("layernorm_simd128 forward and backward agree with _ref", "[simd_vs_ref]") {
  Rng rng(23);
  for (int N : {1, 3, 5}) {
    for (int C : kSizes) {
      const size_t n = size_t(N) * C;
      auto x = randn(n, rng, 2.0f), w = randn(size_t(C), rng), b = randn(size_t(C), rng);
      for (size_t i = 0; i < n; ++i) x[i] += 3.0f;  // a nonzero mean
      Out os(n), orf(n), ms(static_cast<size_t>(N)), mr(static_cast<size_t>(N)), rs(static_cast<size_t>(N)), rr(static_cast<size_t>(N));
      layernorm_forward_simd128(os.data(), ms.data(), rs.data(), x.data(), w.data(), b.data(), N, C, 1e-5f);
      layernorm_forward_ref(orf.data(), mr.data(), rr.data(), x.data(), w.data(), b.data(), N, C, 1e-5f);
      const std::string shape = " N=" + std::to_string(N) + " C=" + std::to_string(C);
      require_close("layernorm mean" + shape, ms, mr, kRtol, 1e-6);
      require_close("layernorm rstd" + shape, rs, rr, kRtol, 0);
      require_close("layernorm out" + shape, os, orf, kRtol, 1e-5);
      // Backward from the same (ref) statistics: dweight, dbias exact; dinp close.
      auto dy = randn(n, rng), dx0 = randn(n, rng), dw0 = randn(size_t(C), rng), db0 = randn(size_t(C), rng);
      Out dxs(n, dx0), dxr(n, dx0), dws(static_cast<size_t>(C), dw0), dwr(static_cast<size_t>(C), dw0), dbs(static_cast<size_t>(C), db0), dbr(static_cast<size_t>(C), db0);
      layernorm_backward_simd128(dxs.data(), dws.data(), dbs.data(), dy.data(), x.data(), w.data(), mr.data(),
                                 rr.data(), N, C);
      layernorm_backward_ref(dxr.data(), dwr.data(), dbr.data(), dy.data(), x.data(), w.data(), mr.data(), rr.data(),
                             N, C);
      require_exact("layernorm dweight" + shape, dws, dwr);
      require_exact("layernorm dbias" + shape, dbs, dbr);
      require_close("layernorm dinp" + shape, dxs, dxr, kRtol, 1e-5);
    }
  }
}

TEST_CASE("elementwise simd128 kernels equal _ref bit for bit: gelu, residual, add, mul, adamw, scale", "[simd_vs_ref]") {
  Rng rng(24);
  for (int n0 : kSizes)
    for (int n : {n0, 4 * n0 + 1}) {
      const size_t un = size_t(n);
      const std::string sz = " n=" + std::to_string(n);
      auto x = randn(un, rng, 4.0f), y = randn(un, rng), z = randn(un, rng);
      x[0] = 40.0f;  // tanh saturation (u clamped at 9)
      if (n > 1) x[1] = -40.0f;
      {
        Out s(un), r(un);
        gelu_forward_simd128(s.data(), x.data(), un);
        gelu_forward_ref(r.data(), x.data(), un);
        require_exact("gelu_forward" + sz, s, r);
      }
      {
        Out s(un, z), r(un, z);
        gelu_backward_simd128(s.data(), x.data(), y.data(), un);
        gelu_backward_ref(r.data(), x.data(), y.data(), un);
        require_exact("gelu_backward" + sz, s, r);
      }
      {
        Out s(un), r(un);
        residual_forward_simd128(s.data(), x.data(), y.data(), un);
        residual_forward_ref(r.data(), x.data(), y.data(), un);
        require_exact("residual_forward" + sz, s, r);
      }
      {
        Out s(un, z), r(un, z);
        add_inplace_simd128(s.data(), x.data(), un);
        add_inplace_ref(r.data(), x.data(), un);
        require_exact("add_inplace" + sz, s, r);
      }
      {
        Out s(un, z), r(un, z);
        mul_inplace_simd128(s.data(), x.data(), un);
        mul_inplace_ref(r.data(), x.data(), un);
        require_exact("mul_inplace" + sz, s, r);
      }
      {
        Out s(un, z), r(un, z);
        scale_inplace_simd128(s.data(), 0.37f, un);
        scale_inplace_ref(r.data(), 0.37f, un);
        require_exact("scale_inplace" + sz, s, r);
      }
      {
        auto m0 = randn(un, rng, 0.1f), v0 = randn(un, rng, 0.01f);
        for (auto& v : v0) v = v * v;
        for (float wd : {0.0f, 0.1f}) {
          const AdamWStep st{1e-3f, 0.9f, 0.99f, 1e-8f, wd, 0.271f, 0.0297f};
          Out ps(un, z), pr(un, z), ms(un, m0), mr(un, m0), vs(un, v0), vr(un, v0);
          adamw_update_simd128(ps.data(), x.data(), ms.data(), vs.data(), un, st);
          adamw_update_ref(pr.data(), x.data(), mr.data(), vr.data(), un, st);
          require_exact("adamw p" + sz, ps, pr);
          require_exact("adamw m" + sz, ms, mr);
          require_exact("adamw v" + sz, vs, vr);
        }
      }
      {
        double s = sum_squares_simd128(x.data(), un), r = sum_squares_ref(x.data(), un);
        INFO("sum_squares" << sz << ": simd " << s << " ref " << r);
        REQUIRE(close(s, r, 1e-6, 0));
      }
    }
  // sum_squares over many 256-blocks and a ragged end
  auto big = randn(100003, rng);
  CHECK(close(sum_squares_simd128(big.data(), big.size()), sum_squares_ref(big.data(), big.size()), 1e-6, 0));
}

TEST_CASE("causal_softmax_simd128 forward and backward agree with _ref (square and after cached positions)",
          "[simd_vs_ref]") {
  Rng rng(25);
  for (int T : kSizes)
    for (int past : {0, 5})
      for (int R : {1, 2}) {
        if (T > 100) continue;
        const int Tk = T + past;
        const size_t n = size_t(R) * T * Tk;
        const std::string shape = " R=" + std::to_string(R) + " Tq=" + std::to_string(T) + " Tk=" + std::to_string(Tk);
        auto x = randn(n, rng, 3.0f), datt = randn(n, rng);
        Out s(n), r(n);
        causal_softmax_forward_simd128(s.data(), x.data(), R, T, Tk, 0.35f);
        causal_softmax_forward_ref(r.data(), x.data(), R, T, Tk, 0.35f);
        require_close("causal_softmax_forward" + shape, s, r, kRtol, 1e-7);
        Out ds(n, datt), dr(n, datt);  // overwritten, including the zeros after each row's position
        causal_softmax_backward_simd128(ds.data(), r.data(), datt.data(), R, T, Tk, 0.35f);
        causal_softmax_backward_ref(dr.data(), r.data(), datt.data(), R, T, Tk, 0.35f);
        require_close("causal_softmax_backward" + shape, ds, dr, kRtol, 1e-6);
      }
}

TEST_CASE("crossentropy_simd128 forward (close) and backward (exact) against _ref", "[simd_vs_ref]") {
  Rng rng(26);
  for (int V : kSizes)
    for (int N : {1, 3, 7}) {
      const size_t n = size_t(N) * V;
      const std::string shape = " N=" + std::to_string(N) + " V=" + std::to_string(V);
      auto logits = randn(n, rng, 4.0f);
      std::vector<int32_t> targets(static_cast<size_t>(N));
      for (auto& t : targets) t = int32_t(rng.below(uint32_t(V)));
      Out ps(n, logits), pr(n, logits), ls(static_cast<size_t>(N)), lr(static_cast<size_t>(N));
      double ts = crossentropy_forward_simd128(ps.data(), ls.data(), targets.data(), N, V);
      double tr = crossentropy_forward_ref(pr.data(), lr.data(), targets.data(), N, V);
      require_close("crossentropy probs" + shape, ps, pr, kRtol, 1e-7);
      require_close("crossentropy losses" + shape, ls, lr, kRtol, 1e-6);
      REQUIRE(close(ts, tr, kRtol, 1e-6));
      Out gs(n, std::vector<float>(pr.data(), pr.data() + n)), gr = gs;
      crossentropy_backward_simd128(gs.data(), targets.data(), N, V, 0.125f);
      crossentropy_backward_ref(gr.data(), targets.data(), N, V, 0.125f);
      require_exact("crossentropy_backward" + shape, gs, gr);
    }
}

#else

#include "kernels/kernels.h"

// The scalar build has no *_simd128 kernels to compare; what it must get right is that every
// dispatching name resolves to the portable _ref version (a build that picked anything else
// would not link or would fail here).
TEST_CASE("scalar build: the dispatching kernels are the _ref versions", "[simd_vs_ref]") {
  using namespace sllm;
  CHECK(&SLLM_KERNEL(gemm) == &gemm_ref);
  CHECK(&SLLM_KERNEL(matvec) == &matvec_ref);
  CHECK(&SLLM_KERNEL(layernorm_forward) == &layernorm_forward_ref);
  CHECK(&SLLM_KERNEL(rmsnorm_forward) == &rmsnorm_forward_ref);
  CHECK(&SLLM_KERNEL(rmsnorm_backward_dinp) == &rmsnorm_backward_dinp_ref);
  CHECK(&SLLM_KERNEL(rope_forward) == &rope_forward_ref);
  CHECK(&SLLM_KERNEL(swiglu_forward) == &swiglu_forward_ref);
  CHECK(&SLLM_KERNEL(attention_step) == &attention_step_ref);
  CHECK(&SLLM_KERNEL(causal_softmax_forward) == &causal_softmax_forward_ref);
}

#endif
