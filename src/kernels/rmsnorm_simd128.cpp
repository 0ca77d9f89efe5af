// rmsnorm_simd128.cpp: the wasm-simd128 RMSNorm (rmsnorm.cpp's formulas), forward and backward.
// Per-element steps match _ref's operation order; the row reductions (sum of squares, the
// backward dot) add in four lanes, so rstd and dinp differ from _ref by float rounding (~1e-6
// relative); out given rstd, and dweight, are computed as _ref does (bit for bit).
#if defined(__wasm_simd128__)
#include <cmath>

#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace sllm {

using namespace simd;

void rmsnorm_forward_simd128(float* out, float* rstd, const float* inp, const float* weight, int N, int C,
                             float eps) {
  for (int i = 0; i < N; ++i) {
    const float* x = inp + size_t(i) * C;
    f32x4 acc = zero();
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      const f32x4 xv = load(x + c);
      acc = madd(acc, xv, xv);
    }
    float ss = hsum(acc);
    for (; c < C; ++c) ss += x[c] * x[c];
    const float s = 1.0f / std::sqrt(ss / float(C) + eps);
    const f32x4 vs = splat(s);
    float* o = out + size_t(i) * C;
    for (c = 0; c + 4 <= C; c += 4) store(o + c, mul(mul(load(x + c), vs), load(weight + c)));
    for (; c < C; ++c) o[c] = x[c] * s * weight[c];
    rstd[i] = s;
  }
}

void rmsnorm_backward_dinp_simd128(float* dinp, const float* dout, const float* inp, const float* weight,
                                   const float* rstd, int N, int C) {
  for (int i = 0; i < N; ++i) {
    const float* dy = dout + size_t(i) * C;
    const float* x = inp + size_t(i) * C;
    float* dx = dinp + size_t(i) * C;
    const float s = rstd[i];
    const f32x4 vs = splat(s);
    f32x4 acc = zero();
    int c = 0;
    for (; c + 4 <= C; c += 4) acc = add(acc, mul(mul(load(weight + c), load(dy + c)), mul(load(x + c), vs)));
    float dot = hsum(acc);
    for (; c < C; ++c) dot += weight[c] * dy[c] * (x[c] * s);
    dot /= float(C);
    const f32x4 vdot = splat(dot);
    for (c = 0; c + 4 <= C; c += 4)
      store(dx + c, madd(load(dx + c), sub(mul(load(weight + c), load(dy + c)), mul(mul(load(x + c), vs), vdot)), vs));
    for (; c < C; ++c) dx[c] += (weight[c] * dy[c] - (x[c] * s) * dot) * s;
  }
}

void rmsnorm_backward_dweight_simd128(float* dweight, const float* dout, const float* inp, const float* rstd, int N,
                                      int C, int c0, int c1) {
  for (int i = 0; i < N; ++i) {
    const float* dy = dout + size_t(i) * C;
    const float* x = inp + size_t(i) * C;
    const float s = rstd[i];
    const f32x4 vs = splat(s);
    int c = c0;
    for (; c + 4 <= c1; c += 4) store(dweight + c, madd(load(dweight + c), mul(load(x + c), vs), load(dy + c)));
    for (; c < c1; ++c) dweight[c] += (x[c] * s) * dy[c];
  }
}

}  // namespace sllm

#endif  // __wasm_simd128__
