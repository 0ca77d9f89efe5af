// test_kernels.cpp: every kernel's backward against finite differences, and the blocked GEMM
// against a naive triple loop on odd shapes, all transposes, with guard values around outputs.
#include <catch2/catch.hpp>
#include <cstring>

#include "gradcheck.h"
#include "kernels/kernels.h"
#include "test_util.h"

using namespace sllm;
using namespace sllm::test;

namespace {

void gemm_naive(const GemmArgs& g) {
  for (int i = 0; i < g.M; ++i)
    for (int j = 0; j < g.N; ++j) {
      double s = 0;
      for (int k = 0; k < g.K; ++k) {
        double a = g.trans_a ? g.A[size_t(k) * g.lda + i] : g.A[size_t(i) * g.lda + k];
        double b = g.trans_b ? g.B[size_t(j) * g.ldb + k] : g.B[size_t(k) * g.ldb + j];
        s += a * b;
      }
      float& c = g.C[size_t(i) * g.ldc + j];
      c = float((g.accumulate ? double(c) : 0.0) + s);
    }
}

}  // namespace

TEST_CASE("gemm matches a naive matmul on odd shapes, transposes and strides", "[kernels][gemm]") {
  Rng rng(7);
  const int sizes[] = {1, 3, 4, 5, 16, 17, 33, 100, 257};
  const float guard = 12345.0f;
  int cases = 0;
  for (int M : sizes)
    for (int N : sizes)
      for (int K : {1, 3, 17, 64, 300}) {
        if (size_t(M) * N * K > 3000000) continue;
        for (int variant = 0; variant < 8; ++variant) {
          bool ta = variant & 1, tb = variant & 2, acc = variant & 4;
          int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 2, ldc = N + 5;  // padded rows
          auto A = random_vec(size_t(ta ? K : M) * lda, rng);
          auto B = random_vec(size_t(tb ? N : K) * ldb, rng);
          // C lives inside a buffer with guard values before, after and in each row's padding.
          std::vector<float> buf(size_t(M) * ldc + 32, guard);
          float* C = buf.data() + 16;
          for (int i = 0; i < M; ++i)
            for (int j = 0; j < N; ++j) C[size_t(i) * ldc + j] = rng.normal();
          std::vector<float> expect(buf);
          GemmArgs g{M, N, K, A.data(), lda, ta, B.data(), ldb, tb, C, ldc, acc};
          GemmArgs ge = g;
          ge.C = expect.data() + 16;
          gemm_naive(ge);
          gemm(g);
          double worst = 0;
          for (size_t i = 0; i < buf.size(); ++i) worst = std::max(worst, double(std::fabs(buf[i] - expect[i])));
          INFO("M=" << M << " N=" << N << " K=" << K << " ta=" << ta << " tb=" << tb << " acc=" << acc);
          REQUIRE(worst <= 1e-4 * std::sqrt(double(K)) * 4);
          ++cases;
        }
      }
  CHECK(cases > 500);
}

TEST_CASE("matmul (linear layer) backward: input, weight and bias", "[kernels][grad]") {
  Rng rng(1);
  const int N = 5, C = 7, OC = 9;
  auto inp = random_vec(size_t(N) * C, rng), w = random_vec(size_t(OC) * C, rng), b = random_vec(OC, rng);
  auto r = random_vec(size_t(N) * OC, rng);
  std::vector<float> out(size_t(N) * OC), dinp(inp.size()), dw(w.size()), db(b.size());
  auto obj = [&] {
    matmul_forward(out.data(), inp.data(), w.data(), b.data(), N, C, OC);
    return dot(r, out.data());
  };
  matmul_backward(dinp.data(), dw.data(), db.data(), r.data(), inp.data(), w.data(), N, C, OC);
  check_grad("dinp", inp.data(), dinp.data(), inp.size(), obj);
  check_grad("dweight", w.data(), dw.data(), w.size(), obj);
  check_grad("dbias", b.data(), db.data(), b.size(), obj);
  // matvec is the single-row forward
  std::vector<float> y(OC);
  matvec(y.data(), w.data(), inp.data(), b.data(), C, OC);
  obj();
  for (int o = 0; o < OC; ++o) CHECK(y[size_t(o)] == Approx(out[size_t(o)]).margin(1e-5));
}

TEST_CASE("layernorm backward: input, weight and bias", "[kernels][grad]") {
  Rng rng(2);
  const int N = 4, C = 11;
  auto x = random_vec(size_t(N) * C, rng, 2.0f), w = random_vec(C, rng), b = random_vec(C, rng);
  auto r = random_vec(size_t(N) * C, rng);
  std::vector<float> out(x.size()), mean(N), rstd(N), dx(x.size()), dw(C), db(C);
  auto obj = [&] {
    layernorm_forward(out.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), N, C, 1e-5f);
    return dot(r, out.data());
  };
  obj();
  layernorm_backward(dx.data(), dw.data(), db.data(), r.data(), x.data(), w.data(), mean.data(), rstd.data(), N, C);
  check_grad("dinp", x.data(), dx.data(), x.size(), obj, 1e-3f);
  check_grad("dweight", w.data(), dw.data(), w.size(), obj);
  check_grad("dbias", b.data(), db.data(), b.size(), obj);
}

TEST_CASE("gelu backward", "[kernels][grad]") {
  Rng rng(3);
  auto x = random_vec(37, rng, 3.0f), r = random_vec(37, rng);
  std::vector<float> y(37), dx(37);
  auto obj = [&] {
    gelu_forward(y.data(), x.data(), x.size());
    return dot(r, y.data());
  };
  gelu_backward(dx.data(), x.data(), r.data(), x.size());
  check_grad("dinp", x.data(), dx.data(), x.size(), obj, 1e-3f);
  // GELU(0) = 0, GELU(large) = identity, GELU(-large) = 0
  float probe[3] = {0.0f, 10.0f, -10.0f}, out[3];
  gelu_forward(out, probe, 3);
  CHECK(out[0] == 0.0f);
  CHECK(out[1] == Approx(10.0f));
  CHECK(std::fabs(out[2]) < 1e-6f);
}

TEST_CASE("residual add and its backward", "[kernels][grad]") {
  Rng rng(4);
  auto a = random_vec(13, rng), b = random_vec(13, rng), r = random_vec(13, rng);
  std::vector<float> y(13), da(13), db(13);
  auto obj = [&] {
    residual_forward(y.data(), a.data(), b.data(), 13);
    return dot(r, y.data());
  };
  add_inplace(da.data(), r.data(), 13);
  add_inplace(db.data(), r.data(), 13);
  check_grad("da", a.data(), da.data(), 13, obj);
  check_grad("db", b.data(), db.data(), 13, obj);
}

TEST_CASE("causal softmax backward, square and after cached positions", "[kernels][grad]") {
  for (int past : {0, 3}) {
    Rng rng(5);
    const int R = 2, Tq = 6, Tk = Tq + past;
    const float scale = 0.7f;
    auto x = random_vec(size_t(R) * Tq * Tk, rng, 2.0f), r = random_vec(x.size(), rng);
    std::vector<float> y(x.size()), dx(x.size());
    auto obj = [&] {
      causal_softmax_forward(y.data(), x.data(), R, Tq, Tk, scale);
      return dot(r, y.data());
    };
    obj();
    for (int m = 0; m < R; ++m)
      for (int t = 0; t < Tq; ++t) {
        double s = 0;
        for (int j = 0; j < Tk; ++j) s += y[size_t((m * Tq + t) * Tk + j)];
        CHECK(s == Approx(1.0).epsilon(1e-6));
        for (int j = past + t + 1; j < Tk; ++j) CHECK(y[size_t((m * Tq + t) * Tk + j)] == 0.0f);
        CHECK(y[size_t((m * Tq + t) * Tk + past + t)] > 0.0f);  // a row sees its own position
      }
    causal_softmax_backward(dx.data(), y.data(), r.data(), R, Tq, Tk, scale);
    // Entries after a row's position do not influence the output: their gradient must be zero.
    INFO("past " << past);
    check_grad("dinp", x.data(), dx.data(), x.size(), obj, 1e-3f);
  }
}

TEST_CASE("attention backward, with and without dropout on the weights", "[kernels][grad]") {
  for (bool with_dropout : {false, true}) {
    Rng rng(6);
    const int B = 2, T = 5, C = 8, NH = 2;
    auto qkv = random_vec(size_t(B) * T * 3 * C, rng), r = random_vec(size_t(B) * T * C, rng);
    std::vector<float> out(r.size()), att(size_t(B) * NH * T * T);
    std::vector<float> dqkv(qkv.size()), mask(att.size());
    Rng mrng(9);
    dropout_mask(mask.data(), mask.size(), 0.3f, mrng);
    const float* m = with_dropout ? mask.data() : nullptr;
    const AttentionArgs args{B, T, T, NH, NH, C / NH, qkv.data(), 3 * C, qkv.data() + C, qkv.data() + 2 * C,
                             3 * C, size_t(T) * 3 * C, out.data(), C};
    auto obj = [&] {
      attention_forward(args, att.data(), m);
      return dot(r, out.data());
    };
    obj();
    attention_backward(args, {dqkv.data(), dqkv.data() + C, dqkv.data() + 2 * C}, r.data(), att.data(),
                       m);
    check_grad(with_dropout ? "dqkv (dropout)" : "dqkv", qkv.data(), dqkv.data(), qkv.size(), obj, 1e-3f);
  }
}

TEST_CASE("cross-entropy backward and loss value", "[kernels][grad]") {
  Rng rng(8);
  const int N = 3, V = 10;
  auto logits = random_vec(size_t(N) * V, rng, 3.0f);
  std::vector<int32_t> targets = {2, 9, 0};
  std::vector<float> work(logits.size()), losses(N);
  auto obj = [&] {
    work = logits;
    return crossentropy_forward(work.data(), losses.data(), targets.data(), N, V);
  };
  double total = obj();
  // -log softmax by hand for the first row
  double mx = -1e30, s = 0;
  for (int v = 0; v < V; ++v) mx = std::max(mx, double(logits[size_t(v)]));
  for (int v = 0; v < V; ++v) s += std::exp(double(logits[size_t(v)]) - mx);
  CHECK(losses[0] == Approx(mx + std::log(s) - logits[2]).epsilon(1e-5));
  CHECK(total > 0);
  crossentropy_backward(work.data(), targets.data(), N, V, 1.0f);  // work now holds dlogits
  std::vector<float> grad = work;
  check_grad("dlogits", logits.data(), grad.data(), logits.size(), obj, 1e-3f);
}

TEST_CASE("embedding backward: token and position tables", "[kernels][grad]") {
  Rng rng(10);
  const int V = 6, maxT = 5, B = 2, T = 4, C = 3;
  auto wte = random_vec(size_t(V) * C, rng), wpe = random_vec(size_t(maxT) * C, rng);
  std::vector<int32_t> tokens = {1, 3, 3, 0, 5, 1, 2, 3};
  auto r = random_vec(size_t(B) * T * C, rng);
  std::vector<float> out(r.size()), dwte(wte.size()), dwpe(wpe.size());
  auto obj = [&] {
    encoder_forward(out.data(), tokens.data(), wte.data(), wpe.data(), B, T, C);
    return dot(r, out.data());
  };
  encoder_backward(dwte.data(), dwpe.data(), r.data(), tokens.data(), B, T, C);
  check_grad("dwte", wte.data(), dwte.data(), wte.size(), obj);
  check_grad("dwpe", wpe.data(), dwpe.data(), wpe.size(), obj);
  // Token 4 never appears and position 4 is beyond T: zero gradients there.
  for (int c = 0; c < C; ++c) {
    CHECK(dwte[size_t(4 * C + c)] == 0.0f);
    CHECK(dwpe[size_t(4 * C + c)] == 0.0f);
  }
}

TEST_CASE("dropout masks keep 1-p of the values, scaled by 1/(1-p)", "[kernels]") {
  Rng rng(11);
  std::vector<float> mask(20000);
  dropout_mask(mask.data(), mask.size(), 0.25f, rng);
  size_t kept = 0;
  for (float m : mask) {
    CHECK((m == 0.0f || m == Approx(1.0f / 0.75f)));
    kept += m != 0.0f;
  }
  CHECK(double(kept) / double(mask.size()) == Approx(0.75).margin(0.02));
}
