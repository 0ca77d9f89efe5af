// rmsnorm.cpp: RMSNorm over the last dimension (llama), forward and backward.
//   out = x * s * w,  s = 1 / sqrt(mean(x^2) + eps)
//   dx += s * (dn - xhat * mean(dn * xhat)),  dn = w * dy, xhat = x * s;  dw += xhat * dy
#include <cmath>

#include "kernels/kernels.h"

namespace sllm {

void rmsnorm_forward_ref(float* out, float* rstd, const float* inp, const float* weight, int N, int C, float eps) {
  for (int i = 0; i < N; ++i) {
    const float* x = inp + size_t(i) * C;
    float ss = 0.0f;
    for (int c = 0; c < C; ++c) ss += x[c] * x[c];
    const float s = 1.0f / std::sqrt(ss / float(C) + eps);
    float* o = out + size_t(i) * C;
    for (int c = 0; c < C; ++c) o[c] = x[c] * s * weight[c];
    rstd[i] = s;
  }
}

void rmsnorm_backward_dinp_ref(float* dinp, const float* dout, const float* inp, const float* weight,
                               const float* rstd, int N, int C) {
  for (int i = 0; i < N; ++i) {
    const float* dy = dout + size_t(i) * C;
    const float* x = inp + size_t(i) * C;
    float* dx = dinp + size_t(i) * C;
    const float s = rstd[i];
    float dot = 0.0f;  // mean of dn * xhat
    for (int c = 0; c < C; ++c) dot += weight[c] * dy[c] * (x[c] * s);
    dot /= float(C);
    for (int c = 0; c < C; ++c) dx[c] += (weight[c] * dy[c] - (x[c] * s) * dot) * s;
  }
}

void rmsnorm_backward_dweight_ref(float* dweight, const float* dout, const float* inp, const float* rstd, int N,
                                  int C, int c0, int c1) {
  for (int i = 0; i < N; ++i) {
    const float* dy = dout + size_t(i) * C;
    const float* x = inp + size_t(i) * C;
    const float s = rstd[i];
    for (int c = c0; c < c1; ++c) dweight[c] += (x[c] * s) * dy[c];
  }
}

}  // namespace sllm
