// embedding.cpp: token (+ learned position) embedding lookup, forward and backward. Threads split
// the forward over rows and the backward over columns: each gradient element is then summed by
// one thread, over the positions in order, exactly as on one thread.
#include <cstring>

#include "core/thread_pool.h"
#include "kernels/kernels.h"

namespace sllm {

namespace {
constexpr int64_t kRowGrain = 64 * 1024;  // floats of work per chunk, at least
constexpr int kColumnAlign = 16;
}  // namespace

void encoder_forward(float* out, const int32_t* tokens, const float* wte, const float* wpe, int B, int T, int C,
                     int pos0) {
  const int64_t rows = int64_t(B) * T;
  parallel_for(0, rows, kRowGrain / C + 1, [&](int64_t r0, int64_t r1) {
    for (int64_t row = r0; row < r1; ++row) {
      const float* e = wte + size_t(tokens[row]) * C;
      float* o = out + size_t(row) * C;
      if (wpe) SLLM_KERNEL(residual_forward)(o, e, wpe + size_t(pos0 + int(row % T)) * C, size_t(C));
      else std::memcpy(o, e, sizeof(float) * size_t(C));
    }
  });
}

void encoder_backward(float* dwte, float* dwpe, const float* dout, const int32_t* tokens, int B, int T, int C) {
  const int64_t rows = int64_t(B) * T;
  // Columns per chunk: a multiple of kColumnAlign holding at least kRowGrain floats of work.
  const int64_t grain = (kRowGrain / (2 * rows) / kColumnAlign + 1) * kColumnAlign;
  parallel_for(0, C, grain, [&](int64_t c0, int64_t c1) {
    const size_t w = size_t(c1 - c0);
    for (int64_t row = 0; row < rows; ++row) {
      const float* d = dout + size_t(row) * C + c0;
      SLLM_KERNEL(add_inplace)(dwte + size_t(tokens[row]) * C + c0, d, w);
      if (dwpe) SLLM_KERNEL(add_inplace)(dwpe + size_t(row % T) * C + c0, d, w);
    }
  });
}

}  // namespace sllm
