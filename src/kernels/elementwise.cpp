// elementwise.cpp: residual add, in-place add (the residual's backward) and in-place multiply
// (dropout's forward and backward), plus drawing dropout masks.
#include "core/rng.h"
#include "kernels/kernels.h"

namespace sllm {

void residual_forward_ref(float* out, const float* a, const float* b, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}

void add_inplace_ref(float* acc, const float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) acc[i] += x[i];
}

void mul_inplace_ref(float* x, const float* m, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] *= m[i];
}

void dropout_mask(float* mask, size_t n, float p, Rng& rng) {
  const float keep_scale = 1.0f / (1.0f - p);
  for (size_t i = 0; i < n; ++i) mask[i] = rng.uniform() < p ? 0.0f : keep_scale;
}

}  // namespace sllm
