// parallel_llama.cpp: the dispatchers of the llama family's kernels (RMSNorm, RoPE, SwiGLU),
// which split the work over the thread pool by rows of their outputs (RMSNorm's weight gradient
// by columns, each summed over all rows in order) and run the one-thread kernel on each piece,
// so results are bit-identical for any thread count. Small problems stay on the calling thread.
#include <algorithm>

#include "core/thread_pool.h"
#include "kernels/kernels.h"

namespace sllm {

namespace {
constexpr int64_t kGrain = 16 * 1024;  // floats of work per chunk, at least
constexpr int64_t kAlign = 16;         // column pieces start at multiples of 16 floats

int64_t rows_for(int64_t row) { return kGrain / (row > 0 ? row : 1) + 1; }
}  // namespace

void rmsnorm_forward(float* out, float* rstd, const float* inp, const float* w, int N, int C, float eps) {
  parallel_for(0, N, rows_for(C), [&](int64_t lo, int64_t hi) {
    const size_t o = size_t(lo) * C;
    SLLM_KERNEL(rmsnorm_forward)(out + o, rstd + lo, inp + o, w, int(hi - lo), C, eps);
  });
}

void rmsnorm_backward(float* dinp, float* dw, const float* dout, const float* inp, const float* w, const float* rstd,
                      int N, int C) {
  parallel_for(0, N, rows_for(C), [&](int64_t lo, int64_t hi) {
    const size_t o = size_t(lo) * C;
    SLLM_KERNEL(rmsnorm_backward_dinp)(dinp + o, dout + o, inp + o, w, rstd + lo, int(hi - lo), C);
  });
  if (!dw) return;  // a frozen norm weight
  const int64_t cols = (rows_for(N) + kAlign - 1) / kAlign * kAlign;
  parallel_for(0, C, cols, [&](int64_t lo, int64_t hi) {
    SLLM_KERNEL(rmsnorm_backward_dweight)(dw, dout, inp, rstd, N, C, int(lo), int(hi));
  });
}

namespace {
// Runs kernel(x, 1, t_len, ...) on the rows [lo, hi) of B sequences of T rows, one run per
// sequence piece, with the positions of those rows.
template <typename Kernel>
void rope_rows(Kernel kernel, float* x, int B, int T, int ld, int heads, int hs, int pos0, const float* c,
               const float* s) {
  parallel_for(0, int64_t(B) * T, rows_for(int64_t(heads) * hs), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi;) {
      const int64_t t = r % T, len = std::min<int64_t>(hi - r, T - t);
      kernel(x + size_t(r) * ld, 1, int(len), ld, heads, hs, pos0 + int(t), c, s);
      r += len;
    }
  });
}
}  // namespace

void rope_forward(float* x, int B, int T, int ld, int heads, int hs, int pos0, const float* c, const float* s) {
  rope_rows(SLLM_KERNEL(rope_forward), x, B, T, ld, heads, hs, pos0, c, s);
}

void rope_backward(float* dx, int B, int T, int ld, int heads, int hs, int pos0, const float* c, const float* s) {
  rope_rows(SLLM_KERNEL(rope_backward), dx, B, T, ld, heads, hs, pos0, c, s);
}

void swiglu_forward(float* h, const float* gu, int N, int F) {
  parallel_for(0, N, rows_for(int64_t(F) * 4), [&](int64_t lo, int64_t hi) {
    SLLM_KERNEL(swiglu_forward)(h + size_t(lo) * F, gu + size_t(lo) * 2 * F, int(hi - lo), F);
  });
}

void swiglu_backward(float* dgu, const float* gu, const float* dh, int N, int F) {
  parallel_for(0, N, rows_for(int64_t(F) * 4), [&](int64_t lo, int64_t hi) {
    SLLM_KERNEL(swiglu_backward)(dgu + size_t(lo) * 2 * F, gu + size_t(lo) * 2 * F, dh + size_t(lo) * F, int(hi - lo), F);
  });
}

}  // namespace sllm
