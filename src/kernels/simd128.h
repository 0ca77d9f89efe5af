// simd128.h: the thin f32x4 shim the *_simd128 kernels are written in (the only place that
// includes <wasm_simd128.h>). Plain loads/stores/arithmetic, selects with the same semantics as
// the scalar `a < b ? ...` forms of the _ref kernels, horizontal reductions in a fixed order,
// and exp/tanh lane-wise with fastmath.h's formulas, so each lane computes exactly what the
// scalar code computes for that element. Kernels handle their n % 4 tails with scalar code.
#pragma once
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "kernels/fastmath.h"

namespace sllm::simd {

using f32x4 = v128_t;

inline f32x4 load(const float* p) { return wasm_v128_load(p); }
inline void store(float* p, f32x4 v) { wasm_v128_store(p, v); }
inline f32x4 splat(float x) { return wasm_f32x4_splat(x); }
inline f32x4 load_splat(const float* p) { return wasm_v128_load32_splat(p); }
inline f32x4 zero() { return wasm_f32x4_const_splat(0.0f); }

inline f32x4 add(f32x4 a, f32x4 b) { return wasm_f32x4_add(a, b); }
inline f32x4 sub(f32x4 a, f32x4 b) { return wasm_f32x4_sub(a, b); }
inline f32x4 mul(f32x4 a, f32x4 b) { return wasm_f32x4_mul(a, b); }
inline f32x4 div(f32x4 a, f32x4 b) { return wasm_f32x4_div(a, b); }
inline f32x4 sqrt(f32x4 a) { return wasm_f32x4_sqrt(a); }
// acc + a * b as two rounded operations (wasm simd128 has no fused multiply-add).
inline f32x4 madd(f32x4 acc, f32x4 a, f32x4 b) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }

// Selects of the scalar forms: max_sel(a, b) = a < b ? b : a; min_sel(a, b) = b < a ? b : a
// (wasm pmax/pmin; a NaN in a passes through, as in the scalar ternaries).
inline f32x4 max_sel(f32x4 a, f32x4 b) { return wasm_f32x4_pmax(a, b); }
inline f32x4 min_sel(f32x4 a, f32x4 b) { return wasm_f32x4_pmin(a, b); }

template <int L>
inline float lane(f32x4 v) { return wasm_f32x4_extract_lane(v, L); }
// (l0 + l1) + (l2 + l3): the order of matvec_ref's four partial sums.
inline float hsum(f32x4 v) { return (lane<0>(v) + lane<1>(v)) + (lane<2>(v) + lane<3>(v)); }
// Largest lane (NaN-free inputs; max is exact in any order).
inline float hmax(f32x4 v) {
  f32x4 m = max_sel(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  m = max_sel(m, wasm_i32x4_shuffle(m, m, 1, 0, 3, 2));
  return lane<0>(m);
}

// Transposes four rows of four floats in place: r[i] lane j becomes r[j] lane i.
inline void transpose4(f32x4& r0, f32x4& r1, f32x4& r2, f32x4& r3) {
  f32x4 t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);  // r0.0 r1.0 r0.1 r1.1
  f32x4 t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);  // r2.0 r3.0 r2.1 r3.1
  f32x4 t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);  // r0.2 r1.2 r0.3 r1.3
  f32x4 t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);  // r2.2 r3.2 r2.3 r3.3
  r0 = wasm_i64x2_shuffle(t0, t1, 0, 2);
  r1 = wasm_i64x2_shuffle(t0, t1, 1, 3);
  r2 = wasm_i64x2_shuffle(t2, t3, 0, 2);
  r3 = wasm_i64x2_shuffle(t2, t3, 1, 3);
}

// exp_approx lane-wise (same clamps, constants and operation order).
inline f32x4 exp(f32x4 x) {
  using namespace fastmath;
  x = max_sel(x, splat(kExpLo));
  x = min_sel(x, splat(kExpHi));
  const f32x4 n = sub(add(mul(x, splat(kLog2e)), splat(kRoundMagic)), splat(kRoundMagic));
  f32x4 r = sub(x, mul(n, splat(kLn2Hi)));
  r = sub(r, mul(n, splat(kLn2Lo)));
  f32x4 p = splat(kExpP[0]);
  p = add(mul(p, r), splat(kExpP[1]));
  p = add(mul(p, r), splat(kExpP[2]));
  p = add(mul(p, r), splat(kExpP[3]));
  p = add(mul(p, r), splat(kExpP[4]));
  p = add(mul(p, r), splat(kExpP[5]));
  p = add(add(mul(mul(p, r), r), r), splat(1.0f));
  const v128_t bits = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return mul(p, bits);  // bits reinterpreted as f32: 2^n
}

// tanh_approx lane-wise.
inline f32x4 tanh(f32x4 x) {
  x = max_sel(x, splat(-fastmath::kTanhClamp));
  x = min_sel(x, splat(fastmath::kTanhClamp));
  return sub(splat(1.0f), div(splat(2.0f), add(exp(mul(splat(2.0f), x)), splat(1.0f))));
}

}  // namespace sllm::simd

#endif  // __wasm_simd128__
