// test_parallel_llama.cpp: the dispatchers added with the llama architecture and the generalized
// attention split their work over the thread pool and still give bit for bit the one-thread
// result on 1, 2, 3 and 4 threads: RMSNorm (rows; weight gradient by columns), RoPE (rows across
// sequence boundaries), SwiGLU (rows), attention forward (heads) and backward (key/value heads
// with the query heads they serve), and the one-token attention step (heads). Built natively and
// into the wasm threads test executable.
#include <catch2/catch.hpp>

#include "kernels/kernels.h"
#include "parallel_test_util.h"

using namespace sllm;
using namespace sllm::test;

TEST_CASE("RMSNorm, RoPE and SwiGLU split over threads equal their one-thread kernels", "[threads]") {
  Rng rng(41);
  for (auto shape : {std::pair{767, 129}, std::pair{3, 4000}}) {
    const int N = shape.first, C = shape.second;  // no structured bindings: clang 14 cannot capture them
    const size_t NC = size_t(N) * C;
    std::vector<float> x = randn(NC, rng), w = randn(size_t(C), rng), dy = randn(NC, rng);
    std::vector<float> rstd(static_cast<size_t>(N)), y(NC);
    SLLM_KERNEL(rmsnorm_forward)(y.data(), rstd.data(), x.data(), w.data(), N, C, 1e-5f);
    require_same("rmsnorm_forward", {NC, size_t(N)},
                 [&](auto& o) { SLLM_KERNEL(rmsnorm_forward)(o[0].data(), o[1].data(), x.data(), w.data(), N, C, 1e-5f); },
                 [&](auto& o) { rmsnorm_forward(o[0].data(), o[1].data(), x.data(), w.data(), N, C, 1e-5f); });
    require_same("rmsnorm_backward", {NC, size_t(C)},
                 [&](auto& o) {
                   SLLM_KERNEL(rmsnorm_backward_dinp)(o[0].data(), dy.data(), x.data(), w.data(), rstd.data(), N, C);
                   SLLM_KERNEL(rmsnorm_backward_dweight)(o[1].data(), dy.data(), x.data(), rstd.data(), N, C, 0, C);
                 },
                 [&](auto& o) { rmsnorm_backward(o[0].data(), o[1].data(), dy.data(), x.data(), w.data(), rstd.data(), N, C); });
  }
  const int B = 3, T = 301, heads = 6, hs = 32, ld = heads * hs + 8, maxT = 400, F = 515;
  std::vector<float> c2(size_t(maxT) * hs), s2(c2.size());
  rope_table(c2.data(), s2.data(), maxT, hs, 10000.0f);
  const size_t n = size_t(B) * T * ld;
  require_same("rope_forward", {n},
               [&](auto& o) { SLLM_KERNEL(rope_forward)(o[0].data(), B, T, ld, heads, hs, 7, c2.data(), s2.data()); },
               [&](auto& o) { rope_forward(o[0].data(), B, T, ld, heads, hs, 7, c2.data(), s2.data()); });
  require_same("rope_backward", {n},
               [&](auto& o) { SLLM_KERNEL(rope_backward)(o[0].data(), B, T, ld, heads, hs, 0, c2.data(), s2.data()); },
               [&](auto& o) { rope_backward(o[0].data(), B, T, ld, heads, hs, 0, c2.data(), s2.data()); });
  const int N = 257;
  std::vector<float> gu = randn(size_t(N) * 2 * F, rng), dh = randn(size_t(N) * F, rng);
  require_same("swiglu_forward", {size_t(N) * F},
               [&](auto& o) { SLLM_KERNEL(swiglu_forward)(o[0].data(), gu.data(), N, F); },
               [&](auto& o) { swiglu_forward(o[0].data(), gu.data(), N, F); });
  require_same("swiglu_backward", {size_t(N) * 2 * F},
               [&](auto& o) { SLLM_KERNEL(swiglu_backward)(o[0].data(), gu.data(), dh.data(), N, F); },
               [&](auto& o) { swiglu_backward(o[0].data(), gu.data(), dh.data(), N, F); });
}

TEST_CASE("attention split over heads equals one thread (grouped-query heads, training and decoding)",
          "[threads]") {
  Rng rng(42);
  const int B = 3, T = 97, NH = 6, NKV = 2, hs = 16, C = NH * hs, KV = NKV * hs, D = C + 2 * KV;
  std::vector<float> qkv = randn(size_t(B) * T * D, rng), dy = randn(size_t(B) * T * C, rng);
  auto args = [&](float* out) {
    return AttentionArgs{B, T, T, NH, NKV, hs, qkv.data(), D, qkv.data() + C, qkv.data() + C + KV, D,
                         size_t(T) * D, out, C};
  };
  std::vector<float> att(size_t(B) * NH * T * T), out(size_t(B) * T * C);
  set_num_threads(1);
  attention_forward(args(out.data()), att.data(), nullptr);
  // The one-thread result is the dispatcher's own on one thread (its per-head loop is the kernel).
  require_same("attention_forward", {size_t(B) * T * C, att.size()},
               [&](auto& o) { attention_forward(args(o[0].data()), o[1].data(), nullptr); },
               [&](auto& o) { attention_forward(args(o[0].data()), o[1].data(), nullptr); });
  require_same("attention_backward", {qkv.size()},
               [&](auto& o) {
                 attention_backward(args(out.data()), {o[0].data(), o[0].data() + C, o[0].data() + C + KV}, dy.data(),
                                    att.data(), nullptr);
               },
               [&](auto& o) {
                 attention_backward(args(out.data()), {o[0].data(), o[0].data() + C, o[0].data() + C + KV}, dy.data(),
                                    att.data(), nullptr);
               });
  std::vector<float> scratch(static_cast<size_t>(T));
  require_same("attention_step", {size_t(C)},
               [&](auto& o) {
                 SLLM_KERNEL(attention_step)(o[0].data(), qkv.data() + size_t(T - 1) * D, qkv.data() + C,
                                             qkv.data() + C + KV, D, T, NH, NKV, hs, 0, NH, scratch.data());
               },
               [&](auto& o) {
                 attention_step(o[0].data(), qkv.data() + size_t(T - 1) * D, qkv.data() + C, qkv.data() + C + KV, D, T,
                                NH, NKV, hs);
               });
  set_num_threads(1);
}
