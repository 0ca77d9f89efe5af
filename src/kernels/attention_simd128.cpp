// attention_simd128.cpp: the wasm-simd128 one-token attention step (attention.cpp's
// attention_step_ref): scores as f32x4 dot products whose lanes are _ref's four partial sums,
// the simd128 softmax, and the weighted sum of values lane-wise in _ref's order, so the result
// equals _ref's up to the softmax's row sum (see softmax_simd128.cpp).
#if defined(__wasm_simd128__)
#include <cmath>

#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace sllm {

using namespace simd;

void attention_step_simd128(float* out, const float* q, const float* k, const float* v, int ldkv, int Tk, int NH,
                            int NKV, int hs, int h0, int h1, float* scratch) {
  const float scale = 1.0f / std::sqrt(float(hs));
  const int group = NH / NKV;
  for (int h = h0; h < h1; ++h) {
    const float* qh = q + size_t(h) * hs;
    const size_t col = size_t(h / group) * hs;
    for (int t = 0; t < Tk; ++t) {
      const float* kt = k + size_t(t) * ldkv + col;
      f32x4 acc = zero();
      int i = 0;
      for (; i + 4 <= hs; i += 4) acc = madd(acc, load(qh + i), load(kt + i));
      float s = hsum(acc);
      for (; i < hs; ++i) s += qh[i] * kt[i];
      scratch[t] = s;
    }
    causal_softmax_forward_simd128(scratch, scratch, 1, 1, Tk, scale);
    float* o = out + size_t(h) * hs;
    int i = 0;
    for (; i + 4 <= hs; i += 4) {
      f32x4 acc = zero();
      for (int t = 0; t < Tk; ++t) acc = madd(acc, splat(scratch[t]), load(v + size_t(t) * ldkv + col + i));
      store(o + i, acc);
    }
    for (; i < hs; ++i) {
      float acc = 0.0f;
      for (int t = 0; t < Tk; ++t) acc += scratch[t] * v[size_t(t) * ldkv + col + i];
      o[i] = acc;
    }
  }
}

}  // namespace sllm

#endif  // __wasm_simd128__
