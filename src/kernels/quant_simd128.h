// quant_simd128.h: the wasm-simd128 pieces the quantized kernels share: f16 -> f32 on four lanes
// (bit for bit f16_to_f32_fast), q4_0 nibbles to int8, and blocks of int8 weights widened to
// i16x8 for i32x4.dot_i16x8_s with int16 activations. Only *_simd128.cpp files include it.
#pragma once
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include <cstdint>
#include <cstring>

namespace sllm::qsimd {

// Four halves, each sign-extended to 32 bits in its lane, to f32 (f16_to_f32_fast lane-wise).
inline v128_t f16x4_to_f32(v128_t h) {
  const v128_t bits = wasm_v128_and(wasm_i32x4_shl(h, 13), wasm_i32x4_const_splat(int32_t(0x8FFFE000u)));
  const v128_t f = wasm_f32x4_mul(bits, wasm_f32x4_const_splat(0x1p112f));
  const v128_t exp_mask = wasm_i32x4_const_splat(0x0F800000);
  const v128_t infnan = wasm_i32x4_eq(wasm_v128_and(bits, exp_mask), exp_mask);
  return wasm_v128_or(f, wasm_v128_and(infnan, wasm_i32x4_const_splat(0x7F800000)));
}
// Four little-endian halves at p (8 bytes) to f32.
inline v128_t load_f16x4(const uint8_t* p) { return f16x4_to_f32(wasm_i32x4_load16x4(p)); }

inline int16_t half_at(const uint8_t* p) {
  int16_t h;
  std::memcpy(&h, p, 2);  // wasm is little-endian, as the file
  return h;
}
// The f16 scales at the starts of four blocks, as f32 lanes.
inline v128_t scales4(const uint8_t* b0, const uint8_t* b1, const uint8_t* b2, const uint8_t* b3) {
  return f16x4_to_f32(wasm_i32x4_make(half_at(b0), half_at(b1), half_at(b2), half_at(b3)));
}

// One block of 32 int8 weights, widened to four i16x8.
struct Wide {
  v128_t v0, v1, v2, v3;
};
inline Wide widen(v128_t lo16, v128_t hi16) {
  return {wasm_i16x8_extend_low_i8x16(lo16), wasm_i16x8_extend_high_i8x16(lo16), wasm_i16x8_extend_low_i8x16(hi16),
          wasm_i16x8_extend_high_i8x16(hi16)};
}
// The four i16x8 of a widened block stored as 32 int16 at out.
inline void store_wide(int16_t* out, const Wide& w) {
  wasm_v128_store(out, w.v0), wasm_v128_store(out + 8, w.v1), wasm_v128_store(out + 16, w.v2), wasm_v128_store(out + 24, w.v3);
}
// One block of 32 int16 activations.
inline Wide load_x(const int16_t* q) {
  return {wasm_v128_load(q), wasm_v128_load(q + 8), wasm_v128_load(q + 16), wasm_v128_load(q + 24)};
}

// The 32 values (nibble - 8) of a q4_0 block (blk: its 16 data bytes) as int8: values 0..15 in
// lo, 16..31 in hi.
inline void q4_values(const uint8_t* blk, v128_t& lo, v128_t& hi) {
  const v128_t v = wasm_v128_load(blk), eight = wasm_i8x16_const_splat(8);
  lo = wasm_i8x16_sub(wasm_v128_and(v, wasm_i8x16_const_splat(0x0F)), eight);
  hi = wasm_i8x16_sub(wasm_u8x16_shr(v, 4), eight);
}

// Four partial int32 sums of the 32 products w[j] * x[j] (values 0..15 in lo16, 16..31 in hi16).
inline v128_t dot32(v128_t lo16, v128_t hi16, const Wide& x) {
  const Wide w = widen(lo16, hi16);
  v128_t s = wasm_i32x4_dot_i16x8(w.v0, x.v0);
  s = wasm_i32x4_add(s, wasm_i32x4_dot_i16x8(w.v1, x.v1));
  s = wasm_i32x4_add(s, wasm_i32x4_dot_i16x8(w.v2, x.v2));
  return wasm_i32x4_add(s, wasm_i32x4_dot_i16x8(w.v3, x.v3));
}

}  // namespace sllm::qsimd

#endif  // __wasm_simd128__
