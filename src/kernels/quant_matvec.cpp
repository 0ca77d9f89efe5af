// quant_matvec.cpp: the portable (_ref) quantized kernels of quant_kernels.h: activations to
// 16-bit blocks, and the q8_0 / q4_0 integer products (one row of x: decoding's matvec; N rows: the
// prefill's batched matmul, row by row the same numbers). The _simd128 twins are in
// quant_matvec_simd128.cpp and compute the same integer sums in the same float order.
#include <cmath>
#include <cstring>

#include "kernels/quant_kernels.h"

namespace sllm {

void quantize_act_ref(float* d, int16_t* q, const float* x, size_t nblocks) {
  for (size_t b = 0; b < nblocks; ++b) {
    const float* xb = x + b * kQuantBlock;
    int16_t* qb = q + b * kQuantBlock;
    float amax = 0.0f;
    for (int j = 0; j < kQuantBlock; ++j) {
      const float v = std::fabs(xb[j]);
      amax = amax < v ? v : amax;  // NaN never enters (as wasm's pmax)
    }
    const float db = amax / kActMax, id = db != 0.0f ? 1.0f / db : 0.0f;
    d[b] = db;
    for (int j = 0; j < kQuantBlock; ++j) {
      // Round half to even, then saturate like wasm's trunc_sat + saturating narrows.
      const float v = std::nearbyint(xb[j] * id);
      qb[j] = int16_t(v != v ? 0 : v >= 32767.0f ? 32767 : v <= -32768.0f ? -32768 : int(v));
    }
  }
}

namespace {

inline float block_scale(const uint8_t* blk) { return f16_to_f32_fast(uint16_t(blk[0] | blk[1] << 8)); }

// q[i] = the sum over the block's four groups of 8 of w[8g + i] * x[8g + i] (exact int32). The
// block's four partial sums are then q[2k] + q[2k+1], k = 0..3: the lanes of i32x4.dot_i16x8_s
// over the four i16x8 of the block, added together.
inline void group_sums(const int8_t* w, const int16_t* x, int32_t q[8]) {
  for (int i = 0; i < 8; ++i)
    q[i] = int32_t(w[i]) * x[i] + int32_t(w[8 + i]) * x[8 + i] + int32_t(w[16 + i]) * x[16 + i] +
           int32_t(w[24 + i]) * x[24 + i];
}

// The 32 int8 values of a block: q8_0's stored bytes; q4_0's (nibble - 8) unpacked into buf.
struct Q8Block {
  static constexpr size_t kBytes = 34;
  static const int8_t* values(const uint8_t* blk, int8_t* /*buf*/) { return reinterpret_cast<const int8_t*>(blk + 2); }
};
struct Q4Block {
  static constexpr size_t kBytes = 18;
  static const int8_t* values(const uint8_t* blk, int8_t* buf) {
    // Eight values at a time in 64-bit words: n + 128 - 8, then the top bit flipped, is n - 8 in
    // two's complement, with no borrows between bytes.
    constexpr uint64_t kLow = 0x0F0F0F0F0F0F0F0Full, kTop = 0x8080808080808080ull, kEight = 0x0808080808080808ull;
    uint64_t w[2], v[4];
    std::memcpy(w, blk + 2, 16);
    for (int i = 0; i < 2; ++i) {
      v[i] = (((w[i] & kLow) | kTop) - kEight) ^ kTop;             // values 8i .. 8i+7
      v[i + 2] = ((((w[i] >> 4) & kLow) | kTop) - kEight) ^ kTop;  // values 16+8i .. 16+8i+7
    }
    std::memcpy(buf, v, kQuantBlock);  // little-endian: byte j of word i is value 8i + j
    return buf;
  }
};

// Per (row o, row t of x): acc[k] += float(partial k of block b) * (d_w * d_x), blocks in order,
// then y = ((acc0 + acc1) + (acc2 + acc3)) + bias.
template <class Q>
void matmul_blocks_ref(const QMatmulArgs& a, int r0, int r1) {
  constexpr int kChunk = 32;  // blocks whose integer sums are taken before they are combined
  const int nb = a.K / kQuantBlock;
  const size_t row_bytes = size_t(nb) * Q::kBytes;
  int32_t q[kChunk][8];
  int8_t buf[kChunk][kQuantBlock];
  const int8_t* vals[kChunk];
  for (int o = r0; o < r1; ++o) {
    const uint8_t* w = a.w + size_t(o) * row_bytes;
    for (int t = 0; t < a.N; ++t) {
      const float* xd = a.xd + size_t(t) * size_t(nb);
      const int16_t* xq = a.xq + size_t(t) * size_t(a.K);
      float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
      for (int b0 = 0; b0 < nb; b0 += kChunk) {
        const int n = nb - b0 < kChunk ? nb - b0 : kChunk;
        // The integer sums in loops of their own (compilers vectorize them), then the floats.
        for (int i = 0; i < n; ++i) vals[i] = Q::values(w + size_t(b0 + i) * Q::kBytes, buf[i]);
        for (int i = 0; i < n; ++i) group_sums(vals[i], xq + size_t(b0 + i) * kQuantBlock, q[i]);
        for (int i = 0; i < n; ++i) {
          const float scale = block_scale(w + size_t(b0 + i) * Q::kBytes) * xd[b0 + i];
          for (int k = 0; k < 4; ++k) acc[k] += float(q[i][2 * k] + q[i][2 * k + 1]) * scale;
        }
      }
      a.y[size_t(t) * size_t(a.OC) + size_t(o)] = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + (a.bias ? a.bias[o] : 0.0f);
    }
  }
}

}  // namespace

void matmul_q8_0_ref(const QMatmulArgs& a, int r0, int r1) { matmul_blocks_ref<Q8Block>(a, r0, r1); }
void matmul_q4_0_ref(const QMatmulArgs& a, int r0, int r1) { matmul_blocks_ref<Q4Block>(a, r0, r1); }

}  // namespace sllm
