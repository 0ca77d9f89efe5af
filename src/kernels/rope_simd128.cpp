// rope_simd128.cpp: the wasm-simd128 rotary position embeddings (rope.cpp): two pairs per
// f32x4, x' = x * cos2 +- swap(x) * sin2 with the pair swap as a shuffle; the same products and
// sums as _ref lane for lane, so results equal rope_*_ref bit for bit. A head size that is not
// a multiple of 4 finishes its last pair with the scalar formula.
#if defined(__wasm_simd128__)
#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace sllm {

using namespace simd;

namespace {
template <int Sign>
void rope_apply(float* x, int B, int T, int ld, int heads, int hs, int pos0, const float* cos2, const float* sin2) {
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      float* row = x + (size_t(b) * T + t) * ld;
      const float* c = cos2 + size_t(pos0 + t) * hs;
      const float* s = sin2 + size_t(pos0 + t) * hs;
      for (int h = 0; h < heads; ++h) {
        float* v = row + size_t(h) * hs;
        int i = 0;
        for (; i + 4 <= hs; i += 4) {
          const f32x4 xv = load(v + i);
          const f32x4 sw = wasm_i32x4_shuffle(xv, xv, 1, 0, 3, 2);
          const f32x4 a = mul(xv, load(c + i)), r = mul(sw, load(s + i));
          store(v + i, Sign > 0 ? add(a, r) : sub(a, r));
        }
        for (; i < hs; i += 2) {
          const float x0 = v[i], x1 = v[i + 1];
          v[i] = Sign > 0 ? x0 * c[i] + x1 * s[i] : x0 * c[i] - x1 * s[i];
          v[i + 1] = Sign > 0 ? x1 * c[i + 1] + x0 * s[i + 1] : x1 * c[i + 1] - x0 * s[i + 1];
        }
      }
    }
}
}  // namespace

void rope_forward_simd128(float* x, int B, int T, int ld, int heads, int hs, int pos0, const float* cos2,
                          const float* sin2) {
  rope_apply<1>(x, B, T, ld, heads, hs, pos0, cos2, sin2);
}

void rope_backward_simd128(float* dx, int B, int T, int ld, int heads, int hs, int pos0, const float* cos2,
                           const float* sin2) {
  rope_apply<-1>(dx, B, T, ld, heads, hs, pos0, cos2, sin2);
}

}  // namespace sllm

#endif  // __wasm_simd128__
