// adamw.cpp: the AdamW update and the gradient-norm helpers used for clipping.
#include <cmath>

#include "kernels/kernels.h"

namespace sllm {

void adamw_update_ref(float* p, const float* g, float* m, float* v, size_t n, const AdamWStep& s) {
  const float decay = 1.0f - s.lr * s.weight_decay;
  const float inv_bc1 = 1.0f / s.bc1, inv_bc2 = 1.0f / s.bc2;
  for (size_t i = 0; i < n; ++i) {
    float mi = s.beta1 * m[i] + (1.0f - s.beta1) * g[i];
    float vi = s.beta2 * v[i] + (1.0f - s.beta2) * g[i] * g[i];
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * decay - s.lr * (mi * inv_bc1) / (std::sqrt(vi * inv_bc2) + s.eps);
  }
}

double sum_squares_ref(const float* x, size_t n) {
  // Blocks of 256 summed in float then accumulated in double: fast and accurate enough.
  double total = 0.0;
  for (size_t i = 0; i < n;) {
    size_t end = i + 256 < n ? i + 256 : n;
    float s = 0.0f;
    for (; i < end; ++i) s += x[i] * x[i];
    total += s;
  }
  return total;
}

void scale_inplace_ref(float* x, float s, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] *= s;
}

}  // namespace sllm
