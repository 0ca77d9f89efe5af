// swiglu.cpp: the SwiGLU gate of the llama MLP, forward and backward.
//   h = silu(g) * u,  silu(g) = g * sig(g),  sig(g) = 1 / (1 + e^-g)
//   dg += dh * u * sig(g) * (1 + g * (1 - sig(g))),  du += dh * silu(g)
#include "kernels/fastmath.h"
#include "kernels/kernels.h"

namespace sllm {

void swiglu_forward_ref(float* h, const float* gu, int N, int F) {
  for (int i = 0; i < N; ++i) {
    const float* g = gu + size_t(i) * 2 * F;
    const float* u = g + F;
    float* o = h + size_t(i) * F;
    for (int j = 0; j < F; ++j) {
      const float sig = 1.0f / (1.0f + exp_approx(-g[j]));
      o[j] = g[j] * sig * u[j];
    }
  }
}

void swiglu_backward_ref(float* dgu, const float* gu, const float* dh, int N, int F) {
  for (int i = 0; i < N; ++i) {
    const float* g = gu + size_t(i) * 2 * F;
    const float* u = g + F;
    const float* d = dh + size_t(i) * F;
    float* dg = dgu + size_t(i) * 2 * F;
    float* du = dg + F;
    for (int j = 0; j < F; ++j) {
      const float sig = 1.0f / (1.0f + exp_approx(-g[j]));
      const float silu = g[j] * sig;
      dg[j] += d[j] * u[j] * (sig * (1.0f + g[j] * (1.0f - sig)));
      du[j] += d[j] * silu;
    }
  }
}

}  // namespace sllm
