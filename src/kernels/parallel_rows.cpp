// parallel_rows.cpp: the dispatchers of the elementwise and row-wise kernels (GELU, residual
// adds, masks, LayerNorm, cross-entropy, AdamW, gradient-norm helpers), which split the work
// over the thread pool by elements, rows or columns of their outputs and run the one-thread
// kernel on each piece. Elementwise kernels compute each element on its own; row kernels each
// row on its own; and the reductions whose one-thread order crosses pieces are put back in that
// order here (the row losses of cross-entropy, the block sums of sum_squares, LayerNorm's
// weight and bias gradients summed over rows column by column), so results are bit-identical
// for any thread count. Small problems stay on the calling thread.
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernels.h"

namespace sllm {

namespace {
// Least floats of work per chunk for cheap elementwise kernels (add, multiply) and for the ones
// with a few dozen operations per element (GELU, AdamW).
constexpr int64_t kCheapGrain = 32 * 1024;
constexpr int64_t kCostlyGrain = 8 * 1024;
constexpr int64_t kAlign = 16;  // piece boundaries at multiples of 16 floats (whole SIMD vectors)

int64_t rows_for(int64_t grain, int64_t row) { return grain / (row > 0 ? row : 1) + 1; }

template <typename F>
void elementwise(size_t n, int64_t grain, F f) {
  parallel_for(0, int64_t(n), grain, [&](int64_t lo, int64_t hi) { f(size_t(lo), size_t(hi - lo)); });
}
}  // namespace

void gelu_forward(float* out, const float* inp, size_t n) {
  elementwise(n, kCostlyGrain, [&](size_t o, size_t m) { SLLM_KERNEL(gelu_forward)(out + o, inp + o, m); });
}

void gelu_backward(float* dinp, const float* inp, const float* dout, size_t n) {
  elementwise(n, kCostlyGrain,
              [&](size_t o, size_t m) { SLLM_KERNEL(gelu_backward)(dinp + o, inp + o, dout + o, m); });
}

void residual_forward(float* out, const float* a, const float* b, size_t n) {
  elementwise(n, kCheapGrain, [&](size_t o, size_t m) { SLLM_KERNEL(residual_forward)(out + o, a + o, b + o, m); });
}

void add_inplace(float* acc, const float* x, size_t n) {
  elementwise(n, kCheapGrain, [&](size_t o, size_t m) { SLLM_KERNEL(add_inplace)(acc + o, x + o, m); });
}

void mul_inplace(float* x, const float* m, size_t n) {
  elementwise(n, kCheapGrain, [&](size_t o, size_t c) { SLLM_KERNEL(mul_inplace)(x + o, m + o, c); });
}

void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* w, const float* b,
                       int N, int C, float eps) {
  parallel_for(0, N, rows_for(kCheapGrain / 4, C), [&](int64_t lo, int64_t hi) {
    const size_t o = size_t(lo) * C;
    SLLM_KERNEL(layernorm_forward)(out + o, mean + lo, rstd + lo, inp + o, w, b, int(hi - lo), C, eps);
  });
}

void layernorm_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp, const float* w,
                        const float* mean, const float* rstd, int N, int C) {
  parallel_for(0, N, rows_for(kCheapGrain / 4, C), [&](int64_t lo, int64_t hi) {
    const size_t o = size_t(lo) * C;
    SLLM_KERNEL(layernorm_backward_dinp)(dinp + o, dout + o, inp + o, w, mean + lo, rstd + lo, int(hi - lo), C);
  });
  if (!dw && !db) return;  // frozen norm weights
  // dweight and dbias sum over rows: split by columns, each summed over all rows in order.
  const int64_t cols = (rows_for(kCheapGrain, N) + kAlign - 1) / kAlign * kAlign;
  parallel_for(0, C, cols, [&](int64_t lo, int64_t hi) {
    SLLM_KERNEL(layernorm_backward_dparams)(dw, db, dout, inp, mean, rstd, N, C, int(lo), int(hi));
  });
}

double crossentropy_forward(float* p, float* losses, const int32_t* t, int N, int V) {
  const int64_t rows = rows_for(kCostlyGrain, V);
  if (parallel_chunks(N, rows, num_threads()) <= 1 || in_parallel_region())
    return SLLM_KERNEL(crossentropy_forward)(p, losses, t, N, V);
  parallel_for(0, N, rows, [&](int64_t lo, int64_t hi) {
    SLLM_KERNEL(crossentropy_forward)(p + size_t(lo) * V, losses + lo, t + lo, int(hi - lo), V);
  });
  // The kernel's total: the row losses added in row order, in double.
  double total = 0.0;
  for (int i = 0; i < N; ++i) total += losses[i];
  return total;
}

void crossentropy_backward(float* p, const int32_t* t, int N, int V, float dloss) {
  parallel_for(0, N, rows_for(kCheapGrain, V), [&](int64_t lo, int64_t hi) {
    SLLM_KERNEL(crossentropy_backward)(p + size_t(lo) * V, t + lo, int(hi - lo), V, dloss);
  });
}

void adamw_update(float* p, const float* g, float* m, float* v, size_t n, const AdamWStep& s) {
  elementwise(n, kCostlyGrain,
              [&](size_t o, size_t c) { SLLM_KERNEL(adamw_update)(p + o, g + o, m + o, v + o, c, s); });
}

double sum_squares(const float* x, size_t n) {
  // The kernel adds float sums of 256-element blocks into a double total, block after block.
  constexpr size_t kBlock = 256;
  const int64_t blocks = int64_t((n + kBlock - 1) / kBlock);
  const int64_t grain = kCheapGrain / int64_t(kBlock);
  if (parallel_chunks(blocks, grain, num_threads()) <= 1 || in_parallel_region())
    return SLLM_KERNEL(sum_squares)(x, n);
  // Each block's sum alone (the kernel on one block returns exactly that float, as a double),
  // then the total in block order.
  std::vector<double> sums(static_cast<size_t>(blocks));
  parallel_for(0, blocks, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t b = lo; b < hi; ++b) {
      const size_t start = size_t(b) * kBlock;
      sums[size_t(b)] = SLLM_KERNEL(sum_squares)(x + start, std::min(kBlock, n - start));
    }
  });
  double total = 0.0;
  for (double s : sums) total += s;
  return total;
}

void zero_fill(float* x, size_t n) {
  elementwise(n, kCheapGrain, [&](size_t o, size_t c) { std::memset(x + o, 0, sizeof(float) * c); });
}

void scale_inplace(float* x, float s, size_t n) {
  elementwise(n, kCheapGrain, [&](size_t o, size_t c) { SLLM_KERNEL(scale_inplace)(x + o, s, c); });
}

}  // namespace sllm
