// layernorm_simd128.cpp: the wasm-simd128 LayerNorm over the last dimension, forward and
// backward (layernorm.cpp's llm.c formulation). Per-element steps match _ref's operation order;
// the row reductions (mean, variance, the two backward means) add in eight lanes, so mean, rstd
// and dinp differ from _ref by float rounding (~1e-6 relative). dweight and dbias are exact.
#if defined(__wasm_simd128__)
#include <cmath>

#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace sllm {

using namespace simd;

namespace {
// Sum of f(c) over c in [0, C): two f32x4 accumulators, then the scalar tail.
template <typename VecTerm, typename ScalarTerm>
inline float row_sum(int C, VecTerm vterm, ScalarTerm sterm) {
  f32x4 s0 = zero(), s1 = zero();
  int c = 0;
  for (; c + 8 <= C; c += 8) {
    s0 = add(s0, vterm(c));
    s1 = add(s1, vterm(c + 4));
  }
  if (c + 4 <= C) {
    s0 = add(s0, vterm(c));
    c += 4;
  }
  float s = hsum(add(s0, s1));
  for (; c < C; ++c) s += sterm(c);
  return s;
}
}  // namespace

void layernorm_forward_simd128(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                               const float* bias, int N, int C, float eps) {
  for (int i = 0; i < N; ++i) {
    const float* x = inp + size_t(i) * C;
    float m = row_sum(C, [&](int c) { return load(x + c); }, [&](int c) { return x[c]; });
    m /= float(C);
    const f32x4 vm = splat(m);
    float v = row_sum(
        C,
        [&](int c) {
          const f32x4 d = sub(load(x + c), vm);
          return mul(d, d);
        },
        [&](int c) { return (x[c] - m) * (x[c] - m); });
    v /= float(C);
    const float s = 1.0f / std::sqrt(v + eps);
    const f32x4 vs = splat(s);
    float* o = out + size_t(i) * C;
    int c = 0;
    for (; c + 4 <= C; c += 4)
      store(o + c, add(mul(mul(sub(load(x + c), vm), vs), load(weight + c)), load(bias + c)));
    for (; c < C; ++c) o[c] = (x[c] - m) * s * weight[c] + bias[c];
    mean[i] = m;
    rstd[i] = s;
  }
}

void layernorm_backward_dinp_simd128(float* dinp, const float* dout, const float* inp, const float* weight,
                                     const float* mean, const float* rstd, int N, int C) {
  for (int i = 0; i < N; ++i) {
    const float* dy = dout + size_t(i) * C;
    const float* x = inp + size_t(i) * C;
    float* dx = dinp + size_t(i) * C;
    const float m = mean[i], s = rstd[i];
    const f32x4 vm = splat(m), vs = splat(s);
    auto xhat = [&](int c) { return mul(sub(load(x + c), vm), vs); };
    auto dn = [&](int c) { return mul(load(weight + c), load(dy + c)); };
    // Two reductions: mean of (dy*w) and mean of (dy*w*xhat).
    float dnorm_mean = row_sum(C, dn, [&](int c) { return weight[c] * dy[c]; });
    float dnorm_norm_mean = row_sum(
        C, [&](int c) { return mul(dn(c), xhat(c)); }, [&](int c) { return weight[c] * dy[c] * ((x[c] - m) * s); });
    dnorm_mean /= float(C);
    dnorm_norm_mean /= float(C);
    const f32x4 vdm = splat(dnorm_mean), vdnm = splat(dnorm_norm_mean);
    int c = 0;
    for (; c + 4 <= C; c += 4) store(dx + c, madd(load(dx + c), sub(sub(dn(c), vdm), mul(xhat(c), vdnm)), vs));
    for (; c < C; ++c) {
      const float xh = (x[c] - m) * s, dnc = weight[c] * dy[c];
      dx[c] += (dnc - dnorm_mean - xh * dnorm_norm_mean) * s;
    }
  }
}

void layernorm_backward_dparams_simd128(float* dweight, float* dbias, const float* dout, const float* inp,
                                        const float* mean, const float* rstd, int N, int C, int c0, int c1) {
  for (int i = 0; i < N; ++i) {
    const float* dy = dout + size_t(i) * C;
    const float* x = inp + size_t(i) * C;
    const float m = mean[i], s = rstd[i];
    const f32x4 vm = splat(m), vs = splat(s);
    int c = c0;
    for (; c + 4 <= c1; c += 4) {
      const f32x4 xh = mul(sub(load(x + c), vm), vs), g = load(dy + c);
      store(dbias + c, add(load(dbias + c), g));
      store(dweight + c, madd(load(dweight + c), xh, g));
    }
    for (; c < c1; ++c) {
      const float xh = (x[c] - m) * s;
      dbias[c] += dy[c];
      dweight[c] += xh * dy[c];
    }
  }
}

void layernorm_backward_simd128(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                                const float* weight, const float* mean, const float* rstd, int N, int C) {
  layernorm_backward_dinp_simd128(dinp, dout, inp, weight, mean, rstd, N, C);
  layernorm_backward_dparams_simd128(dweight, dbias, dout, inp, mean, rstd, N, C, 0, C);
}

}  // namespace sllm

#endif  // __wasm_simd128__
