// elementwise_simd128.cpp: the wasm-simd128 residual add, in-place add and in-place multiply
// (twins of elementwise.cpp's _ref kernels; exact: one rounding per element either way).
#if defined(__wasm_simd128__)
#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace sllm {

using namespace simd;

void residual_forward_simd128(float* out, const float* a, const float* b, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    store(out + i, add(load(a + i), load(b + i)));
    store(out + i + 4, add(load(a + i + 4), load(b + i + 4)));
  }
  for (; i + 4 <= n; i += 4) store(out + i, add(load(a + i), load(b + i)));
  for (; i < n; ++i) out[i] = a[i] + b[i];
}

void add_inplace_simd128(float* acc, const float* x, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    store(acc + i, add(load(acc + i), load(x + i)));
    store(acc + i + 4, add(load(acc + i + 4), load(x + i + 4)));
  }
  for (; i + 4 <= n; i += 4) store(acc + i, add(load(acc + i), load(x + i)));
  for (; i < n; ++i) acc[i] += x[i];
}

void mul_inplace_simd128(float* x, const float* m, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    store(x + i, mul(load(x + i), load(m + i)));
    store(x + i + 4, mul(load(x + i + 4), load(m + i + 4)));
  }
  for (; i + 4 <= n; i += 4) store(x + i, mul(load(x + i), load(m + i)));
  for (; i < n; ++i) x[i] *= m[i];
}

}  // namespace sllm

#endif  // __wasm_simd128__
