// quant_f16_simd128.cpp: the wasm-simd128 twins of quant_f16.cpp: f16 weight rows converted to
// f32 four halves at a time (exactly, as the _ref) and multiplied by matvec_simd128, which sums
// in matvec_ref's order; embedding rows dequantized lane-wise with the scalar decoder's single
// multiply per value. Both equal their _ref bit for bit.
#if defined(__wasm_simd128__)
#include <vector>

#include "kernels/quant_kernels.h"
#include "kernels/quant_simd128.h"

namespace sllm {

using namespace qsimd;

namespace {
constexpr int kF16Group = 4;  // weight rows converted at once (matvec's 4-row tile)

// out[0..8) = d * float(v), v eight int16 lanes (one multiply per value, as decode_tensor).
inline void store8(float* out, v128_t d, v128_t v) {
  wasm_v128_store(out, wasm_f32x4_mul(d, wasm_f32x4_convert_i32x4(wasm_i32x4_extend_low_i16x8(v))));
  wasm_v128_store(out + 4, wasm_f32x4_mul(d, wasm_f32x4_convert_i32x4(wasm_i32x4_extend_high_i16x8(v))));
}
}  // namespace

void decode_f16_simd128(float* out, const uint8_t* h, size_t n) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, load_f16x4(h + 2 * i));
  for (; i < n; ++i) out[i] = f16_to_f32_fast(uint16_t(h[2 * i] | h[2 * i + 1] << 8));
}

void matmul_f16_simd128(const F16MatmulArgs& a, int r0, int r1) {
  std::vector<float> rows(size_t(kF16Group) * size_t(a.K));
  const size_t row_bytes = size_t(a.K) * 2;
  for (int o = r0; o < r1; o += kF16Group) {
    const int n = r1 - o < kF16Group ? r1 - o : kF16Group;
    decode_f16_simd128(rows.data(), a.w + size_t(o) * row_bytes, size_t(n) * size_t(a.K));
    for (int t = 0; t < a.N; ++t)
      matvec_simd128(a.y + size_t(t) * size_t(a.OC) + size_t(o), rows.data(), a.x + size_t(t) * size_t(a.K),
                     a.bias ? a.bias + o : nullptr, a.K, n);
  }
}

void embedding_row_simd128(float* out, const WeightView& w, int row) {
  const uint8_t* src = w.data + size_t(row) * w.row_bytes();
  const size_t n = size_t(w.cols);
  switch (w.dtype) {
    case DType::F32:
      std::memcpy(out, src, n * 4);
      return;
    case DType::F16:
      decode_f16_simd128(out, src, n);
      return;
    case DType::Q8_0:
      for (size_t b = 0; b < n / kQuantBlock; ++b) {
        const uint8_t* blk = src + b * 34;
        const v128_t d = wasm_f32x4_splat(f16_to_f32_fast(uint16_t(half_at(blk))));
        for (int j = 0; j < kQuantBlock; j += 8)
          store8(out + b * kQuantBlock + size_t(j), d, wasm_i16x8_load8x8(blk + 2 + j));
      }
      return;
    case DType::Q4_0:
      for (size_t b = 0; b < n / kQuantBlock; ++b) {
        const uint8_t* blk = src + b * 18;
        const v128_t d = wasm_f32x4_splat(f16_to_f32_fast(uint16_t(half_at(blk))));
        v128_t lo, hi;
        q4_values(blk + 2, lo, hi);
        const Wide lo_hi = widen(lo, hi);
        float* o = out + b * kQuantBlock;
        store8(o, d, lo_hi.v0);
        store8(o + 8, d, lo_hi.v1);
        store8(o + 16, d, lo_hi.v2);
        store8(o + 24, d, lo_hi.v3);
      }
      return;
  }
}

}  // namespace sllm

#endif  // __wasm_simd128__
