// dropout_hash_simd128.cpp: the wasm-simd128 counter-based dropout (dropout_hash.h): the same
// 32-bit hash in i32x4 lanes (multiplications wrap like uint32_t's), the same comparison and
// the same float multiplication, so it equals hash_dropout_ref bit for bit. The tail goes to
// the _ref kernel.
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "kernels/dropout_hash.h"

namespace sllm {

namespace {
inline v128_t mix32(v128_t x) {
  x = wasm_v128_xor(x, wasm_u32x4_shr(x, 16));
  x = wasm_i32x4_mul(x, wasm_i32x4_splat(int32_t(0x7feb352du)));
  x = wasm_v128_xor(x, wasm_u32x4_shr(x, 15));
  x = wasm_i32x4_mul(x, wasm_i32x4_splat(int32_t(0x846ca68bu)));
  return wasm_v128_xor(x, wasm_u32x4_shr(x, 16));
}
}  // namespace

void hash_dropout_simd128(float* x, size_t n, uint32_t first, const HashDropout& d) {
  const v128_t k0 = wasm_i32x4_splat(int32_t(d.k0)), k1 = wasm_i32x4_splat(int32_t(d.k1));
  const v128_t threshold = wasm_i32x4_splat(int32_t(d.threshold)), scale = wasm_f32x4_splat(d.scale);
  v128_t idx = wasm_i32x4_add(wasm_i32x4_splat(int32_t(first)), wasm_i32x4_make(0, 1, 2, 3));
  const v128_t four = wasm_i32x4_splat(4);
  size_t j = 0;
  for (; j + 4 <= n; j += 4, idx = wasm_i32x4_add(idx, four)) {
    const v128_t h = mix32(wasm_i32x4_add(mix32(wasm_v128_xor(idx, k0)), k1));
    const v128_t m = wasm_v128_and(wasm_u32x4_ge(h, threshold), scale);  // scale or +0.0f
    wasm_v128_store(x + j, wasm_f32x4_mul(wasm_v128_load(x + j), m));
  }
  hash_dropout_ref(x + j, n - j, first + uint32_t(j), d);
}

}  // namespace sllm

#endif  // __wasm_simd128__
