// adamw_simd128.cpp: the wasm-simd128 AdamW update (lane for lane the operations of adamw.cpp's
// _ref, so exact) and the gradient-norm helpers: scale_inplace (exact) and sum_squares, whose
// 256-element float blocks add in four lanes before the double total (rounding differences).
// The n % 4 tails of the elementwise kernels go to the _ref kernels.
#if defined(__wasm_simd128__)
#include <cmath>

#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace sllm {

using namespace simd;

void adamw_update_simd128(float* p, const float* g, float* m, float* v, size_t n, const AdamWStep& s) {
  const float decay = 1.0f - s.lr * s.weight_decay;
  const float inv_bc1 = 1.0f / s.bc1, inv_bc2 = 1.0f / s.bc2;
  const f32x4 b1 = splat(s.beta1), b2 = splat(s.beta2), omb1 = splat(1.0f - s.beta1), omb2 = splat(1.0f - s.beta2);
  const f32x4 vdecay = splat(decay), vlr = splat(s.lr), vbc1 = splat(inv_bc1), vbc2 = splat(inv_bc2),
              veps = splat(s.eps);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const f32x4 gi = load(g + i);
    const f32x4 mi = add(mul(b1, load(m + i)), mul(omb1, gi));
    const f32x4 vi = add(mul(b2, load(v + i)), mul(mul(omb2, gi), gi));
    store(m + i, mi);
    store(v + i, vi);
    const f32x4 step = div(mul(vlr, mul(mi, vbc1)), add(sqrt(mul(vi, vbc2)), veps));
    store(p + i, sub(mul(load(p + i), vdecay), step));
  }
  adamw_update_ref(p + i, g + i, m + i, v + i, n - i, s);
}

double sum_squares_simd128(const float* x, size_t n) {
  double total = 0.0;
  for (size_t i = 0; i < n;) {
    const size_t end = i + 256 < n ? i + 256 : n;
    f32x4 acc = zero();
    for (; i + 4 <= end; i += 4) {
      const f32x4 xi = load(x + i);
      acc = madd(acc, xi, xi);
    }
    float s = hsum(acc);
    for (; i < end; ++i) s += x[i] * x[i];
    total += s;
  }
  return total;
}

void scale_inplace_simd128(float* x, float s, size_t n) {
  const f32x4 vs = splat(s);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) store(x + i, mul(load(x + i), vs));
  scale_inplace_ref(x + i, s, n - i);
}

}  // namespace sllm

#endif  // __wasm_simd128__
