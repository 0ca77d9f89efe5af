// elementwise_simd128.cpp: the wasm-simd128 residual add, in-place add and in-place multiply
// (twins of elementwise.cpp's _ref kernels; exact: one rounding per element either way). The
// n % 4 tails go to the _ref kernels.
#if defined(__wasm_simd128__)
#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace sllm {

using namespace simd;

namespace {
// out[i] = op(a[i], b[i]) for the first n - n % 4 elements, two vectors per iteration; returns
// how many were done.
template <typename Op>
size_t zip4(float* out, const float* a, const float* b, size_t n, Op op) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    store(out + i, op(load(a + i), load(b + i)));
    store(out + i + 4, op(load(a + i + 4), load(b + i + 4)));
  }
  for (; i + 4 <= n; i += 4) store(out + i, op(load(a + i), load(b + i)));
  return i;
}
}  // namespace

void residual_forward_simd128(float* out, const float* a, const float* b, size_t n) {
  const size_t i = zip4(out, a, b, n, add);
  residual_forward_ref(out + i, a + i, b + i, n - i);
}

void add_inplace_simd128(float* acc, const float* x, size_t n) {
  const size_t i = zip4(acc, acc, x, n, add);
  add_inplace_ref(acc + i, x + i, n - i);
}

void mul_inplace_simd128(float* x, const float* m, size_t n) {
  const size_t i = zip4(x, x, m, n, mul);
  mul_inplace_ref(x + i, m + i, n - i);
}

}  // namespace sllm

#endif  // __wasm_simd128__
