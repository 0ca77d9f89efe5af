// test_attention_blocked.cpp: attention over blocks of query rows (kernels/attention_blocked.h)
// against the whole-matrix attention of attention.h (the forward bit for bit, the backward to
// float rounding), its gradient with dropout against finite differences, and the counter-based
// dropout masks (kernels/dropout_hash.h): any piece regenerates the same decisions, the kept
// fraction and scale, and the 2^32-element windows.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "gradcheck.h"
#include "kernels/attention_blocked.h"
#include "kernels/dropout_hash.h"
#include "kernels/kernels.h"
#include "test_util.h"

using namespace sllm;
using namespace sllm::test;

namespace {
// q | k | v rows of B sequences of T tokens (NH query heads, NKV kv heads of hs values).
struct Qkv {
  int B, T, NH, NKV, hs, C, KV, D;
  std::vector<float> qkv;
  Qkv(int B_, int T_, int NH_, int NKV_, int hs_, Rng& rng)
      : B(B_), T(T_), NH(NH_), NKV(NKV_), hs(hs_), C(NH_ * hs_), KV(NKV_ * hs_), D(C + 2 * KV),
        qkv(random_vec(size_t(B_) * T_ * D, rng)) {}
  AttentionArgs args(float* out) {
    return AttentionArgs{B, T, T, NH, NKV, hs, qkv.data(), D, qkv.data() + C, qkv.data() + C + KV, D,
                         size_t(T) * D, out, C};
  }
  AttentionGrads grads(std::vector<float>& d) { return {d.data(), d.data() + C, d.data() + C + KV}; }
};

// The (B, NH, T, T) mask the blocked kernels apply, materialized for attention.h's kernels.
std::vector<float> materialized_mask(const Qkv& L, const AttentionDropout& d) {
  std::vector<float> m(size_t(L.B) * L.NH * L.T * L.T, 1.0f);
  hash_dropout(m.data(), m.size(), 0, d.key, d.p);
  return m;
}
}  // namespace

TEST_CASE("blocked attention equals the whole-matrix attention (forward exactly, backward closely)",
          "[kernels][attention_blocked]") {
  Rng rng(40);
  struct Shape { int B, T, NH, NKV, hs; };
  for (const Shape s : {Shape{2, 7, 3, 3, 4}, Shape{1, 33, 4, 2, 8}, Shape{3, 5, 2, 1, 6}}) {
    for (float p : {0.0f, 0.25f}) {
      Qkv L(s.B, s.T, s.NH, s.NKV, s.hs, rng);
      const AttentionDropout drop{dropout_key(9, 1), p};
      const std::vector<float> mask = materialized_mask(L, drop);
      const size_t outn = size_t(L.B) * L.T * L.C;
      std::vector<float> ref(outn), att(size_t(L.B) * L.NH * L.T * L.T);
      attention_forward(L.args(ref.data()), att.data(), p > 0 ? mask.data() : nullptr);
      auto dout = random_vec(outn, rng);
      std::vector<float> dref(L.qkv.size());
      attention_backward(L.args(ref.data()), L.grads(dref), dout.data(), att.data(), p > 0 ? mask.data() : nullptr);
      for (int qb : {1, 3, 4, 64}) {
        INFO("B " << s.B << " T " << s.T << " NH " << s.NH << " NKV " << s.NKV << " qb " << qb << " p " << p);
        std::vector<float> out(outn, 7.0f);
        attention_forward_blocked(L.args(out.data()), qb, drop);
        CHECK(std::memcmp(out.data(), ref.data(), outn * 4) == 0);
        std::vector<float> d(L.qkv.size());
        attention_backward_blocked(L.args(out.data()), L.grads(d), dout.data(), qb, drop);
        double worst = 0, scale = 0;
        for (size_t i = 0; i < d.size(); ++i) {
          worst = std::max(worst, double(std::fabs(d[i] - dref[i])));
          scale = std::max(scale, double(std::fabs(dref[i])));
        }
        CHECK(worst <= 2e-6 * scale);
      }
    }
  }
}

TEST_CASE("blocked attention backward against finite differences, with dropout", "[kernels][grad][attention_blocked]") {
  Rng rng(41);
  for (float p : {0.0f, 0.3f}) {
    Qkv L(2, 6, 4, 2, 3, rng);
    auto r = random_vec(size_t(L.B) * L.T * L.C, rng);
    std::vector<float> out(r.size()), d(L.qkv.size());
    const AttentionDropout drop{dropout_key(3, 4), p};
    auto obj = [&] {
      attention_forward_blocked(L.args(out.data()), 4, drop);
      return dot(r, out.data());
    };
    obj();
    attention_backward_blocked(L.args(out.data()), L.grads(d), r.data(), 4, drop);
    check_grad(p > 0 ? "dqkv (blocked, dropout)" : "dqkv (blocked)", L.qkv.data(), d.data(), d.size(), obj, 1e-3f);
  }
}

TEST_CASE("counter-based dropout: pieces regenerate the whole mask; kept fraction and scale", "[kernels][dropout]") {
  const size_t n = 100003;
  const float p = 0.2f;
  std::vector<float> whole(n, 1.0f);
  hash_dropout(whole.data(), n, 5, dropout_key(77, 2, 3), p);
  size_t kept = 0;
  for (float x : whole) {
    REQUIRE((x == 0.0f || x == 1.0f / (1.0f - p)));
    kept += x != 0.0f;
  }
  CHECK(std::fabs(double(kept) / n - 0.8) < 0.01);
  // The same elements in odd pieces, in reverse order, give the same mask.
  std::vector<float> pieces(n, 1.0f);
  for (size_t end = n; end > 0;) {
    const size_t start = end > 997 ? end - 997 : 0;
    hash_dropout(pieces.data() + start, end - start, 5 + start, dropout_key(77, 2, 3), p);
    end = start;
  }
  CHECK(std::memcmp(whole.data(), pieces.data(), n * 4) == 0);
  // Another key gives another mask; p = 0 changes nothing.
  std::vector<float> other(n, 1.0f);
  hash_dropout(other.data(), n, 5, dropout_key(77, 2, 4), p);
  CHECK(std::memcmp(whole.data(), other.data(), n * 4) != 0);
  std::vector<float> none(n, 2.5f);
  hash_dropout(none.data(), n, 0, 1, 0.0f);
  for (float x : none) REQUIRE(x == 2.5f);
  // Across the 2^32-element window boundary: the elements are the same whether asked in one
  // call or in two that meet at the boundary.
  const uint64_t first = (uint64_t(1) << 32) - 100;
  std::vector<float> across(300, 1.0f), split(300, 1.0f);
  hash_dropout(across.data(), 300, first, 11, 0.5f);
  hash_dropout(split.data(), 100, first, 11, 0.5f);
  hash_dropout(split.data() + 100, 200, first + 100, 11, 0.5f);
  CHECK(std::memcmp(across.data(), split.data(), 300 * 4) == 0);
}
