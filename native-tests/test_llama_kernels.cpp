// test_llama_kernels.cpp: the kernels the llama architecture adds (RMSNorm, RoPE, SwiGLU) and the
// generalized attention (grouped-query heads, queries after cached positions, the one-token
// step): each backward against finite differences, RoPE against its formula in double, and
// the decoding forms against the training form.
#include <catch2/catch.hpp>
#include <cmath>

#include "gradcheck.h"
#include "kernels/kernels.h"
#include "test_util.h"

using namespace sllm;
using namespace sllm::test;

TEST_CASE("RMSNorm: forward by its formula, backward against finite differences", "[kernels][grad][llama]") {
  Rng rng(21);
  const int N = 3, C = 7;
  auto x = random_vec(size_t(N) * C, rng, 1.5f), w = random_vec(C, rng), r = random_vec(x.size(), rng);
  std::vector<float> y(x.size()), rstd(N), dx(x.size()), dw(C);
  auto obj = [&] {
    rmsnorm_forward(y.data(), rstd.data(), x.data(), w.data(), N, C, 1e-5f);
    return dot(r, y.data());
  };
  obj();
  for (int i = 0; i < N; ++i) {
    double ms = 0;
    for (int c = 0; c < C; ++c) ms += double(x[size_t(i * C + c)]) * x[size_t(i * C + c)];
    const double s = 1.0 / std::sqrt(ms / C + 1e-5);
    for (int c = 0; c < C; ++c) CHECK(y[size_t(i * C + c)] == Approx(x[size_t(i * C + c)] * s * w[size_t(c)]).epsilon(1e-5));
  }
  rmsnorm_backward(dx.data(), dw.data(), r.data(), x.data(), w.data(), rstd.data(), N, C);
  check_grad("dinp", x.data(), dx.data(), x.size(), obj, 1e-3f);
  check_grad("dweight", w.data(), dw.data(), w.size(), obj, 1e-3f);
}

TEST_CASE("RoPE rotates adjacent pairs by pos * base^(-2i/hs); its backward is the transpose", "[kernels][llama]") {
  const int maxT = 9, hs = 6, heads = 2, B = 2, T = 4, ld = heads * hs + 3;  // padded rows
  const float base = 10000.0f;
  std::vector<float> c2(size_t(maxT) * hs), s2(c2.size());
  rope_table(c2.data(), s2.data(), maxT, hs, base);
  Rng rng(22);
  auto x = random_vec(size_t(B) * T * ld, rng), r = random_vec(x.size(), rng);
  for (int pos0 : {0, 5}) {
    std::vector<float> y = x;
    rope_forward(y.data(), B, T, ld, heads, hs, pos0, c2.data(), s2.data());
    for (int b = 0; b < B; ++b)
      for (int t = 0; t < T; ++t)
        for (int h = 0; h < heads; ++h)
          for (int i = 0; i < hs; i += 2) {
            const size_t at = (size_t(b) * T + t) * ld + size_t(h) * hs + size_t(i);
            const double th = double(pos0 + t) * std::pow(double(base), -double(i) / hs);
            const double x0 = x[at], x1 = x[at + 1];
            INFO("pos " << pos0 + t << " pair " << i / 2);
            CHECK(y[at] == Approx(x0 * std::cos(th) - x1 * std::sin(th)).margin(2e-5));
            CHECK(y[at + 1] == Approx(x1 * std::cos(th) + x0 * std::sin(th)).margin(2e-5));
          }
    for (size_t k = 0; k < x.size(); ++k)
      if (k % size_t(ld) >= size_t(heads * hs)) CHECK(y[k] == x[k]);  // the row padding is untouched
    // The rotation is linear: d(r . rope(x))/dx = rope_backward(r).
    std::vector<float> g = r;
    rope_backward(g.data(), B, T, ld, heads, hs, pos0, c2.data(), s2.data());
    std::vector<float> xx = x;
    auto obj = [&] {
      std::vector<float> yy = xx;
      rope_forward(yy.data(), B, T, ld, heads, hs, pos0, c2.data(), s2.data());
      return dot(r, yy.data());
    };
    for (size_t k = 0; k < x.size(); ++k)
      if (k % size_t(ld) >= size_t(heads * hs)) g[k] = 0.0f;  // padding: not part of the map
    std::vector<size_t> idx;
    for (size_t k = 0; k < x.size(); ++k)
      if (k % size_t(ld) < size_t(heads * hs)) idx.push_back(k);
    check_grad("rope", xx.data(), g.data(), xx.size(), obj, 1e-2f, idx);
  }
}

TEST_CASE("SwiGLU backward against finite differences", "[kernels][grad][llama]") {
  Rng rng(23);
  const int N = 3, F = 5;
  auto gu = random_vec(size_t(N) * 2 * F, rng, 2.0f), r = random_vec(size_t(N) * F, rng);
  std::vector<float> h(r.size()), dgu(gu.size());
  auto obj = [&] {
    swiglu_forward(h.data(), gu.data(), N, F);
    return dot(r, h.data());
  };
  obj();
  const double g0 = gu[0], u0 = gu[size_t(F)];
  CHECK(h[0] == Approx(g0 / (1.0 + std::exp(-g0)) * u0).epsilon(1e-5));
  swiglu_backward(dgu.data(), gu.data(), r.data(), N, F);
  check_grad("dgu", gu.data(), dgu.data(), gu.size(), obj, 1e-3f);
}

namespace {
// q | k | v rows of a grouped-query layer: q has NH heads, k and v NKV heads of hs values.
struct GqaLayer {
  int B, T, NH, NKV, hs, C, KV, D;
  std::vector<float> qkv;
  GqaLayer(int B_, int T_, int NH_, int NKV_, int hs_, Rng& rng)
      : B(B_), T(T_), NH(NH_), NKV(NKV_), hs(hs_), C(NH_ * hs_), KV(NKV_ * hs_), D(C + 2 * KV),
        qkv(random_vec(size_t(B) * T * D, rng)) {}
  AttentionArgs args(float* out) {
    return AttentionArgs{B, T, T, NH, NKV, hs, qkv.data(), D, qkv.data() + C, qkv.data() + C + KV, D,
                         size_t(T) * D, out, C};
  }
};
}  // namespace

TEST_CASE("grouped-query attention backward, with and without dropout", "[kernels][grad][llama]") {
  for (bool with_dropout : {false, true}) {
    Rng rng(24);
    GqaLayer L(2, 5, 4, 2, 3, rng);
    auto r = random_vec(size_t(L.B) * L.T * L.C, rng);
    std::vector<float> out(r.size()), att(size_t(L.B) * L.NH * L.T * L.T), dqkv(L.qkv.size()), mask(att.size());
    Rng mrng(25);
    dropout_mask(mask.data(), mask.size(), 0.3f, mrng);
    const float* m = with_dropout ? mask.data() : nullptr;
    const AttentionArgs a = L.args(out.data());
    auto obj = [&] {
      attention_forward(a, att.data(), m);
      return dot(r, out.data());
    };
    obj();
    attention_backward(a, {dqkv.data(), dqkv.data() + L.C, dqkv.data() + L.C + L.KV}, r.data(), att.data(),
                       m);
    check_grad(with_dropout ? "dqkv (GQA, dropout)" : "dqkv (GQA)", L.qkv.data(), dqkv.data(), L.qkv.size(), obj,
               1e-3f);
  }
}

TEST_CASE("attention after cached positions and the one-token step equal the full attention's rows",
          "[kernels][llama][generate]") {
  Rng rng(26);
  for (int NKV : {3, 1}) {
    GqaLayer L(1, 9, 3, NKV, 5, rng);
    std::vector<float> full(size_t(L.T) * L.C);
    attention_forward(L.args(full.data()), nullptr, nullptr);
    // The last 4 queries against all 9 positions (5 of them "cached"), nothing kept.
    const int past = 5, Tq = L.T - past;
    std::vector<float> part(size_t(Tq) * L.C);
    AttentionArgs a = L.args(part.data());
    a.Tq = Tq;
    a.q = L.qkv.data() + size_t(past) * L.D;
    attention_forward(a, nullptr, nullptr);
    double worst = 0;
    for (size_t i = 0; i < part.size(); ++i)
      worst = std::max(worst, double(std::fabs(part[i] - full[size_t(past) * L.C + i])));
    // The one-token step for the last position.
    std::vector<float> step(size_t(L.C));
    attention_step(step.data(), L.qkv.data() + size_t(L.T - 1) * L.D, L.qkv.data() + L.C,
                   L.qkv.data() + L.C + L.KV, L.D, L.T, L.NH, L.NKV, L.hs);
    for (int i = 0; i < L.C; ++i)
      worst = std::max(worst, double(std::fabs(step[size_t(i)] - full[size_t(L.T - 1) * L.C + i])));
    INFO("kv heads " << NKV << ": largest difference " << worst);
    CHECK(worst < 1e-6);
  }
}
