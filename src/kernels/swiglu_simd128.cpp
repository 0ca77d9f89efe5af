// swiglu_simd128.cpp: the wasm-simd128 SwiGLU gate (swiglu.cpp's formulas) lane-wise in the same
// operation order with simd::exp (fastmath.h's exp_approx), so results equal swiglu_*_ref bit
// for bit. The F % 4 tail of each row uses the scalar formula.
#if defined(__wasm_simd128__)
#include "kernels/fastmath.h"
#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace sllm {

using namespace simd;

namespace {
inline f32x4 sigmoid(f32x4 g) { return div(splat(1.0f), add(splat(1.0f), exp(wasm_f32x4_neg(g)))); }
}  // namespace

void swiglu_forward_simd128(float* h, const float* gu, int N, int F) {
  for (int i = 0; i < N; ++i) {
    const float* g = gu + size_t(i) * 2 * F;
    const float* u = g + F;
    float* o = h + size_t(i) * F;
    int j = 0;
    for (; j + 4 <= F; j += 4) {
      const f32x4 gv = load(g + j);
      store(o + j, mul(mul(gv, sigmoid(gv)), load(u + j)));
    }
    for (; j < F; ++j) {
      const float sig = 1.0f / (1.0f + exp_approx(-g[j]));
      o[j] = g[j] * sig * u[j];
    }
  }
}

void swiglu_backward_simd128(float* dgu, const float* gu, const float* dh, int N, int F) {
  for (int i = 0; i < N; ++i) {
    const float* g = gu + size_t(i) * 2 * F;
    const float* u = g + F;
    const float* d = dh + size_t(i) * F;
    float* dg = dgu + size_t(i) * 2 * F;
    float* du = dg + F;
    int j = 0;
    for (; j + 4 <= F; j += 4) {
      const f32x4 gv = load(g + j), dv = load(d + j);
      const f32x4 sig = sigmoid(gv);
      const f32x4 dsilu = mul(sig, add(splat(1.0f), mul(gv, sub(splat(1.0f), sig))));
      store(dg + j, add(load(dg + j), mul(mul(dv, load(u + j)), dsilu)));
      store(du + j, add(load(du + j), mul(dv, mul(gv, sig))));
    }
    for (; j < F; ++j) {
      const float sig = 1.0f / (1.0f + exp_approx(-g[j]));
      const float silu = g[j] * sig;
      dg[j] += d[j] * u[j] * (sig * (1.0f + g[j] * (1.0f - sig)));
      du[j] += d[j] * silu;
    }
  }
}

}  // namespace sllm

#endif  // __wasm_simd128__
