// crossentropy_simd128.cpp: the wasm-simd128 fused softmax + cross-entropy over the vocabulary,
// forward and backward. Forward: maxima and exponentials equal crossentropy.cpp's _ref; the sum
// of exponentials adds in four lanes (float rounding differences, ~1e-7 relative). Backward is
// elementwise and exact.
#if defined(__wasm_simd128__)
#include <cmath>

#include "kernels/fastmath.h"
#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace sllm {

using namespace simd;

double crossentropy_forward_simd128(float* probs, float* losses, const int32_t* targets, int N, int V) {
  double total = 0.0;
  for (int i = 0; i < N; ++i) {
    float* p = probs + size_t(i) * V;
    const float target_logit = p[targets[i]];
    float mx = p[0];
    int v = 0;
    if (V >= 4) {
      f32x4 vm = load(p);
      for (v = 4; v + 4 <= V; v += 4) vm = max_sel(vm, load(p + v));
      mx = hmax(vm);
    }
    for (; v < V; ++v) mx = std::fmax(mx, p[v]);
    const f32x4 vmx = splat(mx);
    f32x4 vsum = zero();
    for (v = 0; v + 4 <= V; v += 4) {
      const f32x4 e = exp(sub(load(p + v), vmx));
      store(p + v, e);
      vsum = add(vsum, e);
    }
    float sum = hsum(vsum);
    for (; v < V; ++v) {
      p[v] = exp_approx(p[v] - mx);
      sum += p[v];
    }
    const float inv = 1.0f / sum;
    const f32x4 vinv = splat(inv);
    for (v = 0; v + 4 <= V; v += 4) store(p + v, mul(load(p + v), vinv));
    for (; v < V; ++v) p[v] *= inv;
    const float loss = mx + std::log(sum) - target_logit;
    losses[i] = loss;
    total += loss;
  }
  return total;
}

void crossentropy_backward_simd128(float* probs, const int32_t* targets, int N, int V, float dloss) {
  const f32x4 vd = splat(dloss);
  for (int i = 0; i < N; ++i) {
    float* p = probs + size_t(i) * V;
    int v = 0;
    for (; v + 4 <= V; v += 4) store(p + v, mul(load(p + v), vd));
    for (; v < V; ++v) p[v] *= dloss;
    p[targets[i]] -= dloss;
  }
}

}  // namespace sllm

#endif  // __wasm_simd128__
