// layernorm.cpp: LayerNorm over the last dimension, forward and backward (llm.c's formulation).
#include <cmath>

#include "kernels/kernels.h"

namespace sllm {

void layernorm_forward_ref(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                           const float* bias, int N, int C, float eps) {
  for (int i = 0; i < N; ++i) {
    const float* x = inp + size_t(i) * C;
    float m = 0.0f;
    for (int c = 0; c < C; ++c) m += x[c];
    m /= float(C);
    float v = 0.0f;
    for (int c = 0; c < C; ++c) {
      float d = x[c] - m;
      v += d * d;
    }
    v /= float(C);
    float s = 1.0f / std::sqrt(v + eps);
    float* o = out + size_t(i) * C;
    for (int c = 0; c < C; ++c) o[c] = (x[c] - m) * s * weight[c] + bias[c];
    mean[i] = m;
    rstd[i] = s;
  }
}

void layernorm_backward_dinp_ref(float* dinp, const float* dout, const float* inp, const float* weight,
                                 const float* mean, const float* rstd, int N, int C) {
  for (int i = 0; i < N; ++i) {
    const float* dy = dout + size_t(i) * C;
    const float* x = inp + size_t(i) * C;
    float* dx = dinp + size_t(i) * C;
    float m = mean[i], s = rstd[i];
    // Two reductions: mean of (dy*w) and mean of (dy*w*xhat).
    float dnorm_mean = 0.0f, dnorm_norm_mean = 0.0f;
    for (int c = 0; c < C; ++c) {
      float xhat = (x[c] - m) * s;
      float dn = weight[c] * dy[c];
      dnorm_mean += dn;
      dnorm_norm_mean += dn * xhat;
    }
    dnorm_mean /= float(C);
    dnorm_norm_mean /= float(C);
    for (int c = 0; c < C; ++c) {
      float xhat = (x[c] - m) * s;
      float dn = weight[c] * dy[c];
      dx[c] += (dn - dnorm_mean - xhat * dnorm_norm_mean) * s;
    }
  }
}

void layernorm_backward_dparams_ref(float* dweight, float* dbias, const float* dout, const float* inp,
                                    const float* mean, const float* rstd, int N, int C, int c0, int c1) {
  for (int i = 0; i < N; ++i) {
    const float* dy = dout + size_t(i) * C;
    const float* x = inp + size_t(i) * C;
    float m = mean[i], s = rstd[i];
    for (int c = c0; c < c1; ++c) {
      float xhat = (x[c] - m) * s;
      dbias[c] += dy[c];
      dweight[c] += xhat * dy[c];
    }
  }
}

void layernorm_backward_ref(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                            const float* weight, const float* mean, const float* rstd, int N, int C) {
  layernorm_backward_dinp_ref(dinp, dout, inp, weight, mean, rstd, N, C);
  layernorm_backward_dparams_ref(dweight, dbias, dout, inp, mean, rstd, N, C, 0, C);
}

}  // namespace sllm
