// softmax.cpp: the row-wise causal softmax of attention scores, forward and backward.
// Each of R matrices is (Tq, Tk): Tq query rows against Tk key positions, of which the first
// Tk - Tq are earlier (cached) positions, so row t sees columns 0 .. (Tk - Tq) + t.
#include <cmath>

#include "kernels/fastmath.h"
#include "kernels/kernels.h"

namespace sllm {

void causal_softmax_forward_ref(float* out, const float* inp, int R, int Tq, int Tk, float scale) {
  const int past = Tk - Tq;
  for (size_t m = 0; m < size_t(R); ++m)
    for (int t = 0; t < Tq; ++t) {
      const float* x = inp + (m * Tq + t) * Tk;
      float* y = out + (m * Tq + t) * Tk;
      const int last = past + t;
      float mx = x[0] * scale;
      for (int j = 1; j <= last; ++j) mx = std::fmax(mx, x[j] * scale);
      float sum = 0.0f;
      for (int j = 0; j <= last; ++j) {
        y[j] = exp_approx(x[j] * scale - mx);
        sum += y[j];
      }
      float inv = 1.0f / sum;
      for (int j = 0; j <= last; ++j) y[j] *= inv;
      for (int j = last + 1; j < Tk; ++j) y[j] = 0.0f;
    }
}

void causal_softmax_backward_ref(float* dinp, const float* att, const float* datt, int R, int Tq, int Tk,
                                 float scale) {
  const int past = Tk - Tq;
  for (size_t m = 0; m < size_t(R); ++m)
    for (int t = 0; t < Tq; ++t) {
      const float* a = att + (m * Tq + t) * Tk;
      const float* da = datt + (m * Tq + t) * Tk;
      float* dx = dinp + (m * Tq + t) * Tk;
      const int last = past + t;
      float dot = 0.0f;
      for (int j = 0; j <= last; ++j) dot += a[j] * da[j];
      for (int j = 0; j <= last; ++j) dx[j] = scale * a[j] * (da[j] - dot);
      for (int j = last + 1; j < Tk; ++j) dx[j] = 0.0f;
    }
}

}  // namespace sllm
