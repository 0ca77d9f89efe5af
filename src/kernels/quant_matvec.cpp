// quant_matvec.cpp: the portable (_ref) quantized kernels of quant_kernels.h: activations to
// 16-bit blocks, and the q8_0 / q4_0 integer products (one row of x: decoding's matvec, weight row
// by weight row; N rows: the prefill's batched matmul, over strips of weight rows side by side,
// row by row the same numbers). The _simd128 twins are in quant_matvec_simd128.cpp and compute
// the same integer sums in the same float order.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

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

// The batched form: the same numbers as matmul_blocks_ref, computed for kStrip weight rows at
// once. A strip's values are laid out side by side (wt[j][o] = value j of row o, widened to
// int32; rows past r1 are zeros and never stored), so every inner loop runs over the strip's
// rows with no dependence between them (compilers vectorize them); R rows of x at a time then
// sweep the strip (each value of it loaded once for the R rows). Integer sums are exact in any
// order; the floats follow the contract's order for each output.
constexpr int kStrip = 32;
template <int R>
void sweep_strip(const QMatmulArgs& a, const int32_t* wt, const float* dw, int o0, int rows, int t0) {
  const int nb = a.K / kQuantBlock;
  float acc[R][4][kStrip] = {};
  for (int b = 0; b < nb; ++b) {
    const int32_t* wb = wt + size_t(b) * kQuantBlock * kStrip;
    for (int k = 0; k < 4; ++k) {
      int32_t p[R][kStrip] = {};  // block b's partial sum k (j mod 8 in {2k, 2k + 1}) per x row and weight row
      for (int g = 0; g < 4; ++g)
        for (int e = 0; e < 2; ++e) {
          const int j = 8 * g + 2 * k + e;
          for (int r = 0; r < R; ++r) {
            const int32_t xj = a.xq[size_t(t0 + r) * size_t(a.K) + size_t(b * kQuantBlock + j)];
            for (int o = 0; o < kStrip; ++o) p[r][o] += wb[j * kStrip + o] * xj;
          }
        }
      for (int r = 0; r < R; ++r) {
        const float xd = a.xd[size_t(t0 + r) * size_t(nb) + size_t(b)];
        for (int o = 0; o < kStrip; ++o) acc[r][k][o] += float(p[r][o]) * (dw[size_t(b) * kStrip + size_t(o)] * xd);
      }
    }
  }
  for (int r = 0; r < R; ++r) {
    float* y = a.y + size_t(t0 + r) * size_t(a.OC) + size_t(o0);
    for (int o = 0; o < rows; ++o)
      y[o] = ((acc[r][0][o] + acc[r][1][o]) + (acc[r][2][o] + acc[r][3][o])) + (a.bias ? a.bias[o0 + o] : 0.0f);
  }
}

template <class Q>
void matmul_strips_ref(const QMatmulArgs& a, int r0, int r1) {
  constexpr int R = 4;  // rows of x per sweep
  const int nb = a.K / kQuantBlock;
  const size_t row_bytes = size_t(nb) * Q::kBytes;
  std::vector<int32_t> wt(size_t(a.K) * kStrip);  // wt[j * kStrip + o]
  std::vector<float> dw(size_t(nb) * kStrip);     // dw[b * kStrip + o]
  int8_t buf[kQuantBlock];
  for (int o0 = r0; o0 < r1; o0 += kStrip) {
    const int rows = std::min(kStrip, r1 - o0);
    if (rows < kStrip) {  // the last strip's missing rows are zeros
      std::fill(wt.begin(), wt.end(), 0);
      std::fill(dw.begin(), dw.end(), 0.0f);
    }
    for (int o = 0; o < rows; ++o)
      for (int b = 0; b < nb; ++b) {
        const uint8_t* blk = a.w + size_t(o0 + o) * row_bytes + size_t(b) * Q::kBytes;
        const int8_t* v = Q::values(blk, buf);
        for (int j = 0; j < kQuantBlock; ++j) wt[size_t(b * kQuantBlock + j) * kStrip + size_t(o)] = v[j];
        dw[size_t(b) * kStrip + size_t(o)] = block_scale(blk);
      }
    int t = 0;
    for (; t + R <= a.N; t += R) sweep_strip<R>(a, wt.data(), dw.data(), o0, rows, t);
    for (; t < a.N; ++t) sweep_strip<1>(a, wt.data(), dw.data(), o0, rows, t);
  }
}

// Rows of x from which the strips (whose set-up costs about two rows' work) are the faster form.
constexpr int kStripMinRows = 4;
template <class Q>
void matmul_ref(const QMatmulArgs& a, int r0, int r1) {
  if (a.N >= kStripMinRows) matmul_strips_ref<Q>(a, r0, r1);
  else matmul_blocks_ref<Q>(a, r0, r1);
}

}  // namespace

void matmul_q8_0_ref(const QMatmulArgs& a, int r0, int r1) { matmul_ref<Q8Block>(a, r0, r1); }
void matmul_q4_0_ref(const QMatmulArgs& a, int r0, int r1) { matmul_ref<Q4Block>(a, r0, r1); }

}  // namespace sllm
