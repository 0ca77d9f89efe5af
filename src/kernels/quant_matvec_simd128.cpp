// quant_matvec_simd128.cpp: the wasm-simd128 twins of quant_matvec.cpp. Activations to q8 blocks
// lane-wise with the scalar code's operations (abs, pmax, one scalar reciprocal, multiply,
// round-half-even, saturating conversions); integer products with i32x4.dot_i16x8_s after
// widening int8 to int16 (q4_0 nibbles unpacked and shifted by -8 first). Four weight rows at a
// time: their per-block totals land in the four lanes of one i32x4 and are combined as
// (d_w * d_x) * float(isum) into one f32x4 accumulator whose lane r is row r's running sum,
// in block order: exactly the _ref's scalar sequence, so the results are bit for bit equal.
#if defined(__wasm_simd128__)
#include "kernels/quant_kernels.h"
#include "kernels/quant_simd128.h"

namespace sllm {

using namespace qsimd;

void quantize_q8_act_simd128(float* d, int8_t* q, const float* x, size_t nblocks) {
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
    const float db = amax / 127.0f, id = db != 0.0f ? 1.0f / db : 0.0f;
    d[b] = db;
    const v128_t idv = wasm_f32x4_splat(id);
    v128_t i32[8];
    for (int i = 0; i < 8; ++i) i32[i] = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(v[i], idv)));
    const v128_t lo = wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(i32[0], i32[1]), wasm_i16x8_narrow_i32x4(i32[2], i32[3]));
    const v128_t hi = wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(i32[4], i32[5]), wasm_i16x8_narrow_i32x4(i32[6], i32[7]));
    wasm_v128_store(q + b * kQuantBlock, lo);
    wasm_v128_store(q + b * kQuantBlock + 16, hi);
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

template <class Q>
void matmul_blocks_simd128(const QMatmulArgs& a, int r0, int r1) {
  const int nb = a.K / kQuantBlock;
  const size_t row_bytes = size_t(nb) * Q::kBytes;
  int o = r0;
  for (; o + 4 <= r1; o += 4) {
    const uint8_t* w0 = a.w + size_t(o) * row_bytes;
    const uint8_t *w1 = w0 + row_bytes, *w2 = w1 + row_bytes, *w3 = w2 + row_bytes;
    const v128_t bias = a.bias ? wasm_v128_load(a.bias + o) : wasm_f32x4_const_splat(0.0f);
    for (int t = 0; t < a.N; ++t) {
      const float* xd = a.xd + size_t(t) * size_t(nb);
      const int8_t* xq = a.xq + size_t(t) * size_t(a.K);
      v128_t acc = wasm_f32x4_const_splat(0.0f);
      for (int b = 0; b < nb; ++b) {
        const size_t off = size_t(b) * Q::kBytes;
        const Wide x = load_wide(xq + size_t(b) * kQuantBlock);
        const v128_t isum = hsum4_i32(Q::dot(w0 + off, x), Q::dot(w1 + off, x), Q::dot(w2 + off, x), Q::dot(w3 + off, x));
        const v128_t scale = wasm_f32x4_mul(scales4(w0 + off, w1 + off, w2 + off, w3 + off), wasm_f32x4_splat(xd[b]));
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(scale, wasm_f32x4_convert_i32x4(isum)));
      }
      wasm_v128_store(a.y + size_t(t) * size_t(a.OC) + size_t(o), wasm_f32x4_add(acc, bias));
    }
  }
  for (; o < r1; ++o) {  // the last rows one at a time, in the same order
    const uint8_t* w = a.w + size_t(o) * row_bytes;
    for (int t = 0; t < a.N; ++t) {
      const float* xd = a.xd + size_t(t) * size_t(nb);
      const int8_t* xq = a.xq + size_t(t) * size_t(a.K);
      float acc = 0.0f;
      for (int b = 0; b < nb; ++b) {
        const uint8_t* blk = w + size_t(b) * Q::kBytes;
        const int32_t isum = hsum_i32(Q::dot(blk, load_wide(xq + size_t(b) * kQuantBlock)));
        acc += (f16_to_f32_fast(uint16_t(half_at(blk))) * xd[b]) * float(isum);
      }
      a.y[size_t(t) * size_t(a.OC) + size_t(o)] = acc + (a.bias ? a.bias[o] : 0.0f);
    }
  }
}

}  // namespace

void matmul_q8_0_simd128(const QMatmulArgs& a, int r0, int r1) { matmul_blocks_simd128<Q8Block>(a, r0, r1); }
void matmul_q4_0_simd128(const QMatmulArgs& a, int r0, int r1) { matmul_blocks_simd128<Q4Block>(a, r0, r1); }

}  // namespace sllm

#endif  // __wasm_simd128__
