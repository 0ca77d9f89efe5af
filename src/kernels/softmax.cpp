// softmax.cpp: the row-wise causal softmax of attention scores, forward and backward.
#include <cmath>

#include "kernels/fastmath.h"
#include "kernels/kernels.h"

namespace sllm {

void causal_softmax_forward_ref(float* out, const float* inp, int R, int T, float scale) {
  for (size_t m = 0; m < size_t(R); ++m)
    for (int t = 0; t < T; ++t) {
      const float* x = inp + (m * T + t) * T;
      float* y = out + (m * T + t) * T;
      float mx = x[0] * scale;
      for (int j = 1; j <= t; ++j) mx = std::fmax(mx, x[j] * scale);
      float sum = 0.0f;
      for (int j = 0; j <= t; ++j) {
        y[j] = exp_approx(x[j] * scale - mx);
        sum += y[j];
      }
      float inv = 1.0f / sum;
      for (int j = 0; j <= t; ++j) y[j] *= inv;
      for (int j = t + 1; j < T; ++j) y[j] = 0.0f;
    }
}

void causal_softmax_backward_ref(float* dinp, const float* att, const float* datt, int R, int T, float scale) {
  for (size_t m = 0; m < size_t(R); ++m)
    for (int t = 0; t < T; ++t) {
      const float* a = att + (m * T + t) * T;
      const float* da = datt + (m * T + t) * T;
      float* dx = dinp + (m * T + t) * T;
      float dot = 0.0f;
      for (int j = 0; j <= t; ++j) dot += a[j] * da[j];
      for (int j = 0; j <= t; ++j) dx[j] = scale * a[j] * (da[j] - dot);
      for (int j = t + 1; j < T; ++j) dx[j] = 0.0f;
    }
}

}  // namespace sllm
