// quant_matvec_simd128.cpp: the wasm-simd128 twins of quant_matvec.cpp. Activations to 16-bit
// blocks lane-wise with the scalar code's operations (abs, pmax, one scalar reciprocal, multiply,
// round-half-even, saturating conversions); integer products with i32x4.dot_i16x8_s of the
// int16 activations and the int8 weights widened to int16 (q4_0 nibbles unpacked and shifted by
// -8 first): a block's four
// i32x4 dot products added give its four partial sums, which are the _ref's, and are combined
// in its float order, so the results are bit for bit equal. The scales of a row are converted
// ahead of its blocks, and rows go two at a time in one sequential sweep of the matrix (four
// rows with per-block horizontal sums streamed large matrices from memory at a third the speed).
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
};
struct Q4Block {
  static constexpr size_t kBytes = 18;
  static v128_t dot(const uint8_t* blk, const Wide& x) {
    v128_t lo, hi;
    q4_values(blk + 2, lo, hi);
    return dot32(lo, hi, x);
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

}  // namespace

void matmul_q8_0_simd128(const QMatmulArgs& a, int r0, int r1) { matmul_blocks_simd128<Q8Block>(a, r0, r1); }
void matmul_q4_0_simd128(const QMatmulArgs& a, int r0, int r1) { matmul_blocks_simd128<Q4Block>(a, r0, r1); }

}  // namespace sllm

#endif  // __wasm_simd128__
