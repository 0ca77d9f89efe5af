// quant_matvec_simd128.cpp: the wasm-simd128 twins of quant_matvec.cpp. Activations to 16-bit
// blocks lane-wise with the scalar code's operations (abs, pmax, one scalar reciprocal, multiply,
// round-half-even, saturating conversions); integer products with i32x4.dot_i16x8_s of the
// int16 activations and the int8 weights widened to int16 (q4_0 nibbles unpacked and shifted by
// -8 first): a block's four
// i32x4 dot products added give its four partial sums, which are the _ref's, and are combined
// in its float order, so the results are bit for bit equal. One row of x (decoding): the scales
// of a row are converted ahead of its blocks, and rows go two at a time in one sequential sweep
// of the matrix (four rows with per-block horizontal sums streamed large matrices from memory at
// a third the speed). N rows (prefill): 2 x 2 tiles of weight rows and x rows on weights widened
// once per strip (see matmul_tiles_simd128; 1 x 2 .. 2 x 3 tiles, unrolled pieces and
// accumulators in memory all measured slower under V8, which spills the larger ones).
#if defined(__wasm_simd128__)
#include <vector>

#include "kernels/quant_kernels.h"
#include "kernels/quant_simd128.h"

namespace sllm {

using namespace qsimd;

void quantize_act_simd128(float* d, int16_t* q, const float* x, size_t nblocks) {
  for (size_t b = 0; b < nblocks; ++b) {
    const float* xb = x + b * kQuantBlock;
    v128_t v[8];
    v128_t m = wasm_f32x4_const_splat(0.0f);
    for (int i = 0; i < 8; ++i) {
      v[i] = wasm_v128_load(xb + 4 * i);
      m = wasm_f32x4_pmax(m, wasm_f32x4_abs(v[i]));  // m < |x| ? |x| : m, as the _ref
    }
    m = wasm_f32x4_pmax(m, wasm_i32x4_shuffle(m, m, 2, 3, 0, 1));
    m = wasm_f32x4_pmax(m, wasm_i32x4_shuffle(m, m, 1, 0, 3, 2));
    const float amax = wasm_f32x4_extract_lane(m, 0);  // max is exact in any order
    const float db = amax / kActMax, id = db != 0.0f ? 1.0f / db : 0.0f;
    d[b] = db;
    const v128_t idv = wasm_f32x4_splat(id);
    v128_t i32[8];
    for (int i = 0; i < 8; ++i) i32[i] = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(v[i], idv)));
    for (int i = 0; i < 4; ++i)  // saturating narrow: the _ref's clamp to [-32768, 32767]
      wasm_v128_store(q + b * kQuantBlock + 8 * size_t(i), wasm_i16x8_narrow_i32x4(i32[2 * i], i32[2 * i + 1]));
  }
}

namespace {

// Four partial int32 sums of one weight block times one widened activation block.
struct Q8Block {
  static constexpr size_t kBytes = 34;
  static v128_t dot(const uint8_t* blk, const Wide& x) {
    return dot32(wasm_v128_load(blk + 2), wasm_v128_load(blk + 18), x);
  }
  static void widen_to(int16_t* out, const uint8_t* blk) { store_wide(out, widen(wasm_v128_load(blk + 2), wasm_v128_load(blk + 18))); }
};
struct Q4Block {
  static constexpr size_t kBytes = 18;
  static v128_t dot(const uint8_t* blk, const Wide& x) {
    v128_t lo, hi;
    q4_values(blk + 2, lo, hi);
    return dot32(lo, hi, x);
  }
  static void widen_to(int16_t* out, const uint8_t* blk) {
    v128_t lo, hi;
    q4_values(blk + 2, lo, hi);
    store_wide(out, widen(lo, hi));
  }
};

// d[b] = the f16 scale of block b of a row, for nb blocks of `bytes` bytes.
void row_scales(float* d, const uint8_t* w, size_t bytes, int nb) {
  int b = 0;
  for (; b + 4 <= nb; b += 4) {
    const uint8_t* p = w + size_t(b) * bytes;
    wasm_v128_store(d + b, scales4(p, p + bytes, p + 2 * bytes, p + 3 * bytes));
  }
  for (; b < nb; ++b) d[b] = f16_to_f32_fast(uint16_t(half_at(w + size_t(b) * bytes)));
}
// out[b] = d[b] * xd[b] (lane-wise the scalar product).
void times(float* out, const float* d, const float* xd, int nb) {
  int b = 0;
  for (; b + 4 <= nb; b += 4) wasm_v128_store(out + b, wasm_f32x4_mul(wasm_v128_load(d + b), wasm_v128_load(xd + b)));
  for (; b < nb; ++b) out[b] = d[b] * xd[b];
}
inline float hsum(v128_t v) {  // (l0 + l1) + (l2 + l3), the _ref's order
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

// Two weight rows at a time (one when a single row is left: it is computed twice, stored once),
// each x row against both: a block's four dot lanes, converted to f32, times d_w * d_x, are
// added to the row's f32x4 accumulator (lane k is the _ref's acc[k]).
template <class Q>
void matmul_blocks_simd128(const QMatmulArgs& a, int r0, int r1) {
  const int nb = a.K / kQuantBlock;
  const size_t row_bytes = size_t(nb) * Q::kBytes;
  std::vector<float> scales(size_t(4) * size_t(nb));
  float *d0 = scales.data(), *d1 = d0 + nb, *s0 = d1 + nb, *s1 = s0 + nb;
  for (int o = r0; o < r1; o += 2) {
    const bool two = o + 1 < r1;
    const uint8_t* w0 = a.w + size_t(o) * row_bytes;
    const uint8_t* w1 = two ? w0 + row_bytes : w0;
    row_scales(d0, w0, Q::kBytes, nb);
    row_scales(d1, w1, Q::kBytes, nb);
    for (int t = 0; t < a.N; ++t) {
      const float* xd = a.xd + size_t(t) * size_t(nb);
      const int16_t* xq = a.xq + size_t(t) * size_t(a.K);
      times(s0, d0, xd, nb);
      times(s1, d1, xd, nb);
      v128_t acc0 = wasm_f32x4_const_splat(0.0f), acc1 = acc0;
      for (int b = 0; b < nb; ++b) {
        const size_t off = size_t(b) * Q::kBytes;
        const Wide x = load_x(xq + size_t(b) * kQuantBlock);
        const v128_t p0 = Q::dot(w0 + off, x), p1 = Q::dot(w1 + off, x);
        acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(p0), wasm_v128_load32_splat(s0 + b)));
        acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(p1), wasm_v128_load32_splat(s1 + b)));
      }
      float* y = a.y + size_t(t) * size_t(a.OC) + size_t(o);
      y[0] = hsum(acc0) + (a.bias ? a.bias[o] : 0.0f);
      if (two) y[1] = hsum(acc1) + (a.bias ? a.bias[o + 1] : 0.0f);
    }
  }
}

// The batched form (N >= 2) works on tiles of two weight rows x two rows of x. The weights of a
// strip of up to kStrip rows are widened to int16 once, and x is copied once, both into pair
// layout: for rows (a, b) and each block, its four i16x8 of a then of b alternate (a0 b0 a1 b1
// ...), so a tile reads two streams in order. Per block, each i16x8 loaded once serves two
// dot products; a pair's four dot lanes are its four partial sums, combined in the float order
// above (the same integers and float steps, so each output is the same bits). A lone last row
// (of x or of the strip) is paired with itself: computed twice, stored once.
constexpr int kStrip = 16;

// out: rows r and r2 (r2 == r for a lone row) of nb blocks of int16 (at q, stride K) in pair layout.
inline void pair_rows(int16_t* out, const int16_t* q0, const int16_t* q1, int nb) {
  for (int b = 0; b < nb; ++b)
    for (int i = 0; i < 4; ++i) {
      wasm_v128_store(out + 64 * b + 16 * i, wasm_v128_load(q0 + 32 * b + 8 * i));
      wasm_v128_store(out + 64 * b + 16 * i + 8, wasm_v128_load(q1 + 32 * b + 8 * i));
    }
}

// One tile: w, x in pair layout (nb blocks); s: per block the four scales (a0, a1, b0, b1) (weight
// row a or b times x row 0 or 1). Returns the four accumulators, in that order.
inline void tile_simd128(v128_t acc[4], const int16_t* w, const int16_t* x, const float* s, int nb) {
  v128_t a00 = wasm_f32x4_const_splat(0.0f), a01 = a00, a10 = a00, a11 = a00;
  for (int b = 0; b < nb; ++b, w += 64, x += 64, s += 4) {
    v128_t p00 = wasm_i32x4_const_splat(0), p01 = p00, p10 = p00, p11 = p00;
#pragma clang loop unroll(disable)
    for (int i = 0; i < 64; i += 16) {  // the block's four i16x8 (not unrolled: unrolled, V8 spills)
      const v128_t wa = wasm_v128_load(w + i), wb = wasm_v128_load(w + i + 8);
      const v128_t x0 = wasm_v128_load(x + i), x1 = wasm_v128_load(x + i + 8);
      p00 = wasm_i32x4_add(p00, wasm_i32x4_dot_i16x8(wa, x0));
      p01 = wasm_i32x4_add(p01, wasm_i32x4_dot_i16x8(wa, x1));
      p10 = wasm_i32x4_add(p10, wasm_i32x4_dot_i16x8(wb, x0));
      p11 = wasm_i32x4_add(p11, wasm_i32x4_dot_i16x8(wb, x1));
    }
    a00 = wasm_f32x4_add(a00, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(p00), wasm_v128_load32_splat(s)));
    a01 = wasm_f32x4_add(a01, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(p01), wasm_v128_load32_splat(s + 1)));
    a10 = wasm_f32x4_add(a10, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(p10), wasm_v128_load32_splat(s + 2)));
    a11 = wasm_f32x4_add(a11, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(p11), wasm_v128_load32_splat(s + 3)));
  }
  acc[0] = a00, acc[1] = a01, acc[2] = a10, acc[3] = a11;
}

template <class Q>
void matmul_tiles_simd128(const QMatmulArgs& a, int r0, int r1) {
  const int nb = a.K / kQuantBlock, N = a.N;
  const size_t row_bytes = size_t(nb) * Q::kBytes, K = size_t(a.K), pair = 2 * K;
  const int xpairs = (N + 1) / 2;
  std::vector<int16_t> xp(size_t(xpairs) * pair), row(size_t(2) * K), wp(size_t(kStrip / 2) * pair);
  std::vector<float> dxp(size_t(xpairs) * size_t(4 * nb)), dwp(size_t(kStrip / 2) * size_t(4 * nb)), s(size_t(4 * nb));
  for (int t = 0; t < N; t += 2) {  // x in pair layout, with its scales as (x0, x1, x0, x1)
    const int t1 = t + 1 < N ? t + 1 : t;
    pair_rows(xp.data() + size_t(t / 2) * pair, a.xq + size_t(t) * K, a.xq + size_t(t1) * K, nb);
    float* d = dxp.data() + size_t(t / 2) * size_t(4 * nb);
    for (int b = 0; b < nb; ++b)
      d[4 * b] = d[4 * b + 2] = a.xd[size_t(t) * size_t(nb) + size_t(b)],
      d[4 * b + 1] = d[4 * b + 3] = a.xd[size_t(t1) * size_t(nb) + size_t(b)];
  }
  for (int o0 = r0; o0 < r1; o0 += kStrip) {
    const int rows = r1 - o0 < kStrip ? r1 - o0 : kStrip;
    for (int o = 0; o < rows; o += 2) {  // the strip in pair layout, scales as (a, a, b, b)
      const int o1 = o + 1 < rows ? o + 1 : o;
      float* d = dwp.data() + size_t(o / 2) * size_t(4 * nb);
      for (int r = 0; r < 2; ++r) {
        const uint8_t* w = a.w + size_t(o0 + (r ? o1 : o)) * row_bytes;
        row_scales(s.data(), w, Q::kBytes, nb);
        for (int b = 0; b < nb; ++b) {
          Q::widen_to(row.data() + size_t(r) * K + size_t(b) * kQuantBlock, w + size_t(b) * Q::kBytes);
          d[4 * b + 2 * r] = d[4 * b + 2 * r + 1] = s[size_t(b)];
        }
      }
      pair_rows(wp.data() + size_t(o / 2) * pair, row.data(), row.data() + K, nb);
    }
    for (int t = 0; t < N; t += 2) {
      const float* dx = dxp.data() + size_t(t / 2) * size_t(4 * nb);
      float *y0 = a.y + size_t(t) * size_t(a.OC), *y1 = t + 1 < N ? y0 + a.OC : nullptr;
      for (int o = 0; o < rows; o += 2) {
        times(s.data(), dwp.data() + size_t(o / 2) * size_t(4 * nb), dx, 4 * nb);
        v128_t acc[4];
        tile_simd128(acc, wp.data() + size_t(o / 2) * pair, xp.data() + size_t(t / 2) * pair, s.data(), nb);
        const int oa = o0 + o, ob = oa + 1;
        const float ba = a.bias ? a.bias[oa] : 0.0f;
        y0[oa] = hsum(acc[0]) + ba;
        if (y1) y1[oa] = hsum(acc[1]) + ba;
        if (o + 1 < rows) {
          const float bb = a.bias ? a.bias[ob] : 0.0f;
          y0[ob] = hsum(acc[2]) + bb;
          if (y1) y1[ob] = hsum(acc[3]) + bb;
        }
      }
    }
  }
}

template <class Q>
void matmul_simd128(const QMatmulArgs& a, int r0, int r1) {
  if (a.N >= 2) matmul_tiles_simd128<Q>(a, r0, r1);
  else matmul_blocks_simd128<Q>(a, r0, r1);
}

}  // namespace

void matmul_q8_0_simd128(const QMatmulArgs& a, int r0, int r1) { matmul_simd128<Q8Block>(a, r0, r1); }
void matmul_q4_0_simd128(const QMatmulArgs& a, int r0, int r1) { matmul_simd128<Q4Block>(a, r0, r1); }

}  // namespace sllm

#endif  // __wasm_simd128__
