// rope.cpp: rotary position embeddings on adjacent pairs of each head (llama.cpp's mode for
// LLM_ARCH_LLAMA), the table of angles, and the forward and backward rotations (see
// llama_kernels.h). Written as x' = x * cos2 + swap(x) * sin2, where swap exchanges the two
// values of each pair: the same products and sums the simd128 version computes lane-wise.
#include <cmath>

#include "kernels/kernels.h"

namespace sllm {

void rope_table(float* cos2, float* sin2, int maxT, int hs, float base) {
  const float theta_scale = std::pow(base, -2.0f / float(hs));
  for (int p = 0; p < maxT; ++p) {
    float theta = float(p);
    float* c = cos2 + size_t(p) * hs;
    float* s = sin2 + size_t(p) * hs;
    for (int i = 0; i < hs; i += 2) {
      const float ct = std::cos(theta), st = std::sin(theta);
      c[i] = c[i + 1] = ct;
      s[i] = -st;
      s[i + 1] = st;
      theta *= theta_scale;
    }
  }
}

namespace {
// sign = +1 rotates forward, -1 backward (sin2 negated).
template <int Sign>
void rope_apply(float* x, int B, int T, int ld, int heads, int hs, int pos0, const float* cos2, const float* sin2) {
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      float* row = x + (size_t(b) * T + t) * ld;
      const float* c = cos2 + size_t(pos0 + t) * hs;
      const float* s = sin2 + size_t(pos0 + t) * hs;
      for (int h = 0; h < heads; ++h) {
        float* v = row + size_t(h) * hs;
        for (int i = 0; i < hs; i += 2) {
          const float x0 = v[i], x1 = v[i + 1];
          if (Sign > 0) {
            v[i] = x0 * c[i] + x1 * s[i];
            v[i + 1] = x1 * c[i + 1] + x0 * s[i + 1];
          } else {
            v[i] = x0 * c[i] - x1 * s[i];
            v[i + 1] = x1 * c[i + 1] - x0 * s[i + 1];
          }
        }
      }
    }
}
}  // namespace

void rope_forward_ref(float* x, int B, int T, int ld, int heads, int hs, int pos0, const float* cos2,
                      const float* sin2) {
  rope_apply<1>(x, B, T, ld, heads, hs, pos0, cos2, sin2);
}

void rope_backward_ref(float* dx, int B, int T, int ld, int heads, int hs, int pos0, const float* cos2,
                       const float* sin2) {
  rope_apply<-1>(dx, B, T, ld, heads, hs, pos0, cos2, sin2);
}

}  // namespace sllm
