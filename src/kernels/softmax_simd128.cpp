// softmax_simd128.cpp: the wasm-simd128 causal softmax of attention rows (Tq x Tk matrices with
// Tk - Tq earlier positions, as softmax.cpp), forward and backward.
// Elementwise steps (scaling, exp, normalization) match softmax.cpp's _ref lane for lane; the
// row sums (forward: sum of exps; backward: dot(att, datt)) add in four lanes, so results
// differ from _ref by float rounding (~1e-7 relative). Row maxima are exact.
#if defined(__wasm_simd128__)
#include <cmath>

#include "kernels/fastmath.h"
#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace sllm {

using namespace simd;

namespace {
// y[j] = 0 for j in [from, T).
inline void zero_tail(float* y, int from, int T) {
  int j = from;
  for (; j < T && (j & 3); ++j) y[j] = 0.0f;
  for (; j + 4 <= T; j += 4) store(y + j, zero());
  for (; j < T; ++j) y[j] = 0.0f;
}
}  // namespace

void causal_softmax_forward_simd128(float* out, const float* inp, int R, int Tq, int Tk, float scale) {
  const f32x4 vscale = splat(scale);
  const int past = Tk - Tq;
  for (size_t m = 0; m < size_t(R); ++m)
    for (int t = 0; t < Tq; ++t) {
      const float* x = inp + (m * Tq + t) * Tk;
      float* y = out + (m * Tq + t) * Tk;
      const int n = past + t + 1;
      // Row maximum of x * scale.
      float mx = x[0] * scale;
      int j = 0;
      if (n >= 4) {
        f32x4 vm = mul(load(x), vscale);
        for (j = 4; j + 4 <= n; j += 4) vm = max_sel(vm, mul(load(x + j), vscale));
        mx = hmax(vm);
      }
      for (; j < n; ++j) mx = std::fmax(mx, x[j] * scale);
      // Exponentials and their sum.
      const f32x4 vmx = splat(mx);
      f32x4 vsum = zero();
      for (j = 0; j + 4 <= n; j += 4) {
        const f32x4 e = exp(sub(mul(load(x + j), vscale), vmx));
        store(y + j, e);
        vsum = add(vsum, e);
      }
      float sum = hsum(vsum);
      for (; j < n; ++j) {
        y[j] = exp_approx(x[j] * scale - mx);
        sum += y[j];
      }
      const float inv = 1.0f / sum;
      const f32x4 vinv = splat(inv);
      for (j = 0; j + 4 <= n; j += 4) store(y + j, mul(load(y + j), vinv));
      for (; j < n; ++j) y[j] *= inv;
      zero_tail(y, n, Tk);
    }
}

void causal_softmax_backward_simd128(float* dinp, const float* att, const float* datt, int R, int Tq, int Tk,
                                     float scale) {
  const f32x4 vscale = splat(scale);
  const int past = Tk - Tq;
  for (size_t m = 0; m < size_t(R); ++m)
    for (int t = 0; t < Tq; ++t) {
      const float* a = att + (m * Tq + t) * Tk;
      const float* da = datt + (m * Tq + t) * Tk;
      float* dx = dinp + (m * Tq + t) * Tk;
      const int n = past + t + 1;
      f32x4 vdot = zero();
      int j = 0;
      for (; j + 4 <= n; j += 4) vdot = madd(vdot, load(a + j), load(da + j));
      float dot = hsum(vdot);
      for (; j < n; ++j) dot += a[j] * da[j];
      const f32x4 vd = splat(dot);
      for (j = 0; j + 4 <= n; j += 4) store(dx + j, mul(mul(vscale, load(a + j)), sub(load(da + j), vd)));
      for (; j < n; ++j) dx[j] = scale * a[j] * (da[j] - dot);
      zero_tail(dx, n, Tk);
    }
}

}  // namespace sllm

#endif  // __wasm_simd128__
