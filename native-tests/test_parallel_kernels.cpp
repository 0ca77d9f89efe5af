// test_parallel_kernels.cpp: every kernel dispatcher that splits its work over the thread pool
// gives bit for bit the result of the one-thread kernel (SLLM_KERNEL(name), _ref natively,
// _simd128 in the wasm SIMD builds) on 1, 2, 3 and 4 threads, on shapes large enough to be
// split and with odd sizes, with guard values around every output. Built natively and into the
// wasm threads test executable.
#include <catch2/catch.hpp>

#include <cstring>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "core/rng.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "parallel_test_util.h"

using namespace sllm;

using namespace sllm::test;

TEST_CASE("gemm split over threads equals the one-thread gemm bit for bit", "[threads]") {
  Rng rng(1);
  struct Shape { int M, N, K; bool ta, tb, acc; };
  for (Shape s : {Shape{301, 77, 129, false, true, false}, Shape{77, 301, 65, true, false, true},
                  Shape{768, 384, 128, false, true, false}, Shape{129, 515, 257, true, true, true},
                  Shape{1000, 3, 100, false, false, false}, Shape{5, 900, 50, false, true, true}}) {
    std::vector<float> A = randn(size_t(s.M) * s.K, rng), B = randn(size_t(s.K) * s.N, rng);
    auto args = [&](std::vector<Buf>& o) {
      return GemmArgs{s.M, s.N, s.K, A.data(), s.ta ? s.M : s.K, s.ta, B.data(), s.tb ? s.K : s.N, s.tb,
                      o[0].data(), s.N, s.acc};
    };
    require_same("gemm " + std::to_string(s.M) + "x" + std::to_string(s.N) + "x" + std::to_string(s.K),
                 {size_t(s.M) * s.N}, [&](auto& o) { SLLM_KERNEL(gemm)(args(o)); }, [&](auto& o) { gemm(args(o)); });
  }
}

TEST_CASE("matvec and bias_backward split over threads equal their one-thread kernels", "[threads]") {
  Rng rng(2);
  for (auto shape : {std::pair{257, 1003}, std::pair{64, 5001}, std::pair{1024, 7}}) {
    const int C = shape.first, OC = shape.second;
    std::vector<float> W = randn(size_t(C) * OC, rng), x = randn(size_t(C), rng), b = randn(size_t(OC), rng);
    require_same("matvec", {size_t(OC)}, [&](auto& o) { SLLM_KERNEL(matvec)(o[0].data(), W.data(), x.data(), b.data(), C, OC); },
                 [&](auto& o) { matvec(o[0].data(), W.data(), x.data(), b.data(), C, OC); });
  }
  for (auto shape : {std::pair{767, 385}, std::pair{2000, 37}, std::pair{33, 5000}}) {
    const int N = shape.first, OC = shape.second;
    std::vector<float> dout = randn(size_t(N) * OC, rng);
    require_same("bias_backward", {size_t(OC)}, [&](auto& o) { SLLM_KERNEL(bias_backward)(o[0].data(), dout.data(), N, OC); },
                 [&](auto& o) { bias_backward(o[0].data(), dout.data(), N, OC); });
  }
}

TEST_CASE("elementwise kernels split over threads equal their one-thread kernels", "[threads]") {
  Rng rng(3);
  for (size_t n : {size_t(100003), size_t(40000), size_t(17)}) {
    std::vector<float> a = randn(n, rng), b = randn(n, rng);
    require_same("gelu_forward", {n}, [&](auto& o) { SLLM_KERNEL(gelu_forward)(o[0].data(), a.data(), n); },
                 [&](auto& o) { gelu_forward(o[0].data(), a.data(), n); });
    require_same("gelu_backward", {n}, [&](auto& o) { SLLM_KERNEL(gelu_backward)(o[0].data(), a.data(), b.data(), n); },
                 [&](auto& o) { gelu_backward(o[0].data(), a.data(), b.data(), n); });
    require_same("residual_forward", {n}, [&](auto& o) { SLLM_KERNEL(residual_forward)(o[0].data(), a.data(), b.data(), n); },
                 [&](auto& o) { residual_forward(o[0].data(), a.data(), b.data(), n); });
    require_same("add_inplace", {n}, [&](auto& o) { SLLM_KERNEL(add_inplace)(o[0].data(), a.data(), n); },
                 [&](auto& o) { add_inplace(o[0].data(), a.data(), n); });
    require_same("mul_inplace", {n}, [&](auto& o) { SLLM_KERNEL(mul_inplace)(o[0].data(), a.data(), n); },
                 [&](auto& o) { mul_inplace(o[0].data(), a.data(), n); });
    require_same("scale_inplace", {n}, [&](auto& o) { SLLM_KERNEL(scale_inplace)(o[0].data(), 0.37f, n); },
                 [&](auto& o) { scale_inplace(o[0].data(), 0.37f, n); });
    require_same("zero_fill", {n}, [&](auto& o) { for (size_t i = 0; i < n; ++i) o[0].data()[i] = 0.0f; },
                 [&](auto& o) { zero_fill(o[0].data(), n); });
    AdamWStep st{1e-3f, 0.9f, 0.99f, 1e-8f, 0.1f, 0.3f, 0.02f};
    // p, m, v are outputs; v must be non-negative (a second moment).
    auto adam = [&](auto kernel) {
      return [&, kernel](std::vector<Buf>& o) {
        for (size_t i = 0; i < n; ++i) o[2].data()[i] *= o[2].data()[i];
        kernel(o[0].data(), a.data(), o[1].data(), o[2].data(), n, st);
      };
    };
    require_same("adamw_update", {n, n, n}, adam([](auto... x) { SLLM_KERNEL(adamw_update)(x...); }),
                 adam([](auto... x) { adamw_update(x...); }));
    double one = 0, split = 0;
    require_same("sum_squares", {1}, [&](auto&) { one = SLLM_KERNEL(sum_squares)(a.data(), n); },
                 [&](auto&) {
                   split = sum_squares(a.data(), n);
                   REQUIRE(std::memcmp(&one, &split, sizeof one) == 0);
                 });
  }
}

TEST_CASE("row kernels split over threads equal their one-thread kernels", "[threads]") {
  Rng rng(4);
  for (auto shape : {std::pair{767, 129}, std::pair{1000, 64}, std::pair{3, 8000}}) {
    const int N = shape.first, C = shape.second;
    const size_t NC = size_t(N) * C;
    std::vector<float> x = randn(NC, rng), w = randn(size_t(C), rng), b = randn(size_t(C), rng), dy = randn(NC, rng);
    std::vector<float> mean(static_cast<size_t>(N)), rstd(static_cast<size_t>(N)), y(NC);
    SLLM_KERNEL(layernorm_forward)(y.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), N, C, 1e-5f);
    require_same("layernorm_forward", {NC, size_t(N), size_t(N)},
                 [&](auto& o) { SLLM_KERNEL(layernorm_forward)(o[0].data(), o[1].data(), o[2].data(), x.data(), w.data(), b.data(), N, C, 1e-5f); },
                 [&](auto& o) { layernorm_forward(o[0].data(), o[1].data(), o[2].data(), x.data(), w.data(), b.data(), N, C, 1e-5f); });
    require_same("layernorm_backward", {NC, size_t(C), size_t(C)},
                 [&](auto& o) { SLLM_KERNEL(layernorm_backward)(o[0].data(), o[1].data(), o[2].data(), dy.data(), x.data(), w.data(), mean.data(), rstd.data(), N, C); },
                 [&](auto& o) { layernorm_backward(o[0].data(), o[1].data(), o[2].data(), dy.data(), x.data(), w.data(), mean.data(), rstd.data(), N, C); });
  }
  for (auto shape : {std::pair{768, 65}, std::pair{37, 5003}, std::pair{300, 257}}) {
    const int N = shape.first, V = shape.second;
    std::vector<float> logits = randn(size_t(N) * V, rng);
    std::vector<int32_t> targets(static_cast<size_t>(N));
    for (auto& t : targets) t = int32_t(rng.below(uint32_t(V)));
    double one = 0;
    require_same("crossentropy_forward", {size_t(N) * V, size_t(N)},
                 [&](auto& o) {
                   std::memcpy(o[0].data(), logits.data(), sizeof(float) * logits.size());
                   one = SLLM_KERNEL(crossentropy_forward)(o[0].data(), o[1].data(), targets.data(), N, V);
                 },
                 [&](auto& o) {
                   std::memcpy(o[0].data(), logits.data(), sizeof(float) * logits.size());
                   double total = crossentropy_forward(o[0].data(), o[1].data(), targets.data(), N, V);
                   REQUIRE(std::memcmp(&one, &total, sizeof one) == 0);
                 });
    require_same("crossentropy_backward", {size_t(N) * V},
                 [&](auto& o) { SLLM_KERNEL(crossentropy_backward)(o[0].data(), targets.data(), N, V, 0.01f); },
                 [&](auto& o) { crossentropy_backward(o[0].data(), targets.data(), N, V, 0.01f); });
  }
}

TEST_CASE("embedding forward and backward split over threads equal one thread", "[threads]") {
  Rng rng(5);
  for (auto shape : {std::tuple{12, 64, 128, 65}, std::tuple{3, 33, 257, 7}}) {
    const int B = std::get<0>(shape), T = std::get<1>(shape), C = std::get<2>(shape), V = std::get<3>(shape);
    const size_t BT = size_t(B) * T;
    std::vector<float> wte = randn(size_t(V) * C, rng), wpe = randn(size_t(T) * C, rng), dout = randn(BT * C, rng);
    std::vector<int32_t> tokens(BT);
    for (auto& t : tokens) t = int32_t(rng.below(uint32_t(V)));
    // The one-thread reference: the same formula, row by row (the kernel's own order).
    require_same("encoder_forward", {BT * C},
                 [&](auto& o) {
                   for (size_t r = 0; r < BT; ++r)
                     SLLM_KERNEL(residual_forward)(o[0].data() + r * C, wte.data() + size_t(tokens[r]) * C, wpe.data() + (r % T) * C, size_t(C));
                 },
                 [&](auto& o) { encoder_forward(o[0].data(), tokens.data(), wte.data(), wpe.data(), B, T, C); });
    require_same("encoder_backward", {size_t(V) * C, size_t(T) * C},
                 [&](auto& o) {
                   for (size_t r = 0; r < BT; ++r) {
                     SLLM_KERNEL(add_inplace)(o[0].data() + size_t(tokens[r]) * C, dout.data() + r * C, size_t(C));
                     SLLM_KERNEL(add_inplace)(o[1].data() + (r % T) * C, dout.data() + r * C, size_t(C));
                   }
                 },
                 [&](auto& o) { encoder_backward(o[0].data(), o[1].data(), dout.data(), tokens.data(), B, T, C); });
  }
}
