// gelu_simd128.cpp: the wasm-simd128 GELU (tanh approximation), forward and backward: the
// _ref formulas of gelu.cpp evaluated lane-wise in the same operation order, with simd::tanh
// (fastmath.h's tanh_approx lane-wise), so results equal gelu_*_ref bit for bit. The n % 4
// tails go to the _ref kernels.
#if defined(__wasm_simd128__)
#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace sllm {

namespace {
using namespace simd;
constexpr float kGeluScale = 0.7978845608028654f;  // sqrt(2/pi), as gelu.cpp
constexpr float kCubic = 0.044715f;

// u = sqrt(2/pi) * (x + 0.044715 x^3), as ((0.044715 x) x) x.
inline f32x4 gelu_arg(f32x4 x) { return mul(splat(kGeluScale), add(x, mul(mul(mul(splat(kCubic), x), x), x))); }

// d gelu / dx = 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2).
inline f32x4 gelu_grad(f32x4 x) {
  const f32x4 t = tanh(gelu_arg(x));
  const f32x4 sech2 = sub(splat(1.0f), mul(t, t));
  const f32x4 left = mul(splat(0.5f), add(splat(1.0f), t));
  const f32x4 poly = add(splat(1.0f), mul(mul(splat(3.0f * kCubic), x), x));
  return add(left, mul(mul(mul(mul(splat(0.5f), x), sech2), splat(kGeluScale)), poly));
}
}  // namespace

void gelu_forward_simd128(float* out, const float* inp, size_t n) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const f32x4 x = load(inp + i);
    store(out + i, mul(mul(splat(0.5f), x), add(splat(1.0f), tanh(gelu_arg(x)))));
  }
  gelu_forward_ref(out + i, inp + i, n - i);
}

void gelu_backward_simd128(float* dinp, const float* inp, const float* dout, size_t n) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) store(dinp + i, madd(load(dinp + i), gelu_grad(load(inp + i)), load(dout + i)));
  gelu_backward_ref(dinp + i, inp + i, dout + i, n - i);
}

}  // namespace sllm

#endif  // __wasm_simd128__
