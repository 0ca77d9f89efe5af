// quant_matvec.cpp: the portable (_ref) quantized kernels of quant_kernels.h: activations to q8
// blocks, and the q8_0 / q4_0 integer products (one row of x: decoding's matvec; N rows: the
// prefill's batched matmul, row by row the same numbers). The _simd128 twins are in
// quant_matvec_simd128.cpp and compute the same integer sums in the same float order.
#include <cmath>
#include <cstring>

#include "kernels/quant_kernels.h"

namespace sllm {

void quantize_q8_act_ref(float* d, int8_t* q, const float* x, size_t nblocks) {
  for (size_t b = 0; b < nblocks; ++b) {
    const float* xb = x + b * kQuantBlock;
    int8_t* qb = q + b * kQuantBlock;
    float amax = 0.0f;
    for (int j = 0; j < kQuantBlock; ++j) {
      const float v = std::fabs(xb[j]);
      amax = amax < v ? v : amax;  // NaN never enters (as wasm's pmax)
    }
    const float db = amax / 127.0f, id = db != 0.0f ? 1.0f / db : 0.0f;
    d[b] = db;
    for (int j = 0; j < kQuantBlock; ++j) {
      // Round half to even, then saturate like wasm's trunc_sat + saturating narrows.
      const float v = std::nearbyint(xb[j] * id);
      qb[j] = int8_t(v != v ? 0 : v >= 127.0f ? 127 : v <= -128.0f ? -128 : int(v));
    }
  }
}

namespace {

inline float block_scale(const uint8_t* blk) { return f16_to_f32_fast(uint16_t(blk[0] | blk[1] << 8)); }

// The exact integer dot product of one weight block with 32 activation values.
struct Q8Block {
  static constexpr size_t kBytes = 34;
  static int32_t isum_values(const int8_t* w, const int8_t* x) {
    int32_t s = 0;
    for (int j = 0; j < kQuantBlock; ++j) s += int32_t(w[j]) * int32_t(x[j]);
    return s;
  }
  // Read through an int8_t pointer: GCC 12 with AVX512-VNNI miscompiles int8_t(uint8_t) * int8_t
  // dot products (it emits vpdpbusd, which takes the first operand as unsigned).
  static int32_t isum(const uint8_t* blk, const int8_t* x) {
    return isum_values(reinterpret_cast<const int8_t*>(blk + 2), x);
  }
};
struct Q4Block {
  static constexpr size_t kBytes = 18;
  static int32_t isum(const uint8_t* blk, const int8_t* x) {
    // The values (nibble - 8) as int8, eight at a time in 64-bit words (n + 128 - 8, then the
    // top bit flipped: n - 8 in two's complement, no borrows), then Q8Block's product.
    constexpr uint64_t kLow = 0x0F0F0F0F0F0F0F0Full, kTop = 0x8080808080808080ull, kEight = 0x0808080808080808ull;
    uint64_t w[2], v[4];
    std::memcpy(w, blk + 2, 16);
    for (int i = 0; i < 2; ++i) {
      v[i] = (((w[i] & kLow) | kTop) - kEight) ^ kTop;             // values 8i .. 8i+7
      v[i + 2] = ((((w[i] >> 4) & kLow) | kTop) - kEight) ^ kTop;  // values 16+8i .. 16+8i+7
    }
    int8_t q[kQuantBlock];
    std::memcpy(q, v, sizeof q);  // little-endian: byte j of word i is value 8i + j
    return Q8Block::isum_values(q, x);
  }
};

template <class Q>
void matmul_blocks_ref(const QMatmulArgs& a, int r0, int r1) {
  const int nb = a.K / kQuantBlock;
  const size_t row_bytes = size_t(nb) * Q::kBytes;
  constexpr int kChunk = 32;  // blocks whose integer sums are taken before they are combined
  int32_t isum[kChunk];
  for (int o = r0; o < r1; ++o) {
    const uint8_t* w = a.w + size_t(o) * row_bytes;
    for (int t = 0; t < a.N; ++t) {
      const float* xd = a.xd + size_t(t) * size_t(nb);
      const int8_t* xq = a.xq + size_t(t) * size_t(a.K);
      float acc = 0.0f;
      for (int b0 = 0; b0 < nb; b0 += kChunk) {
        const int n = nb - b0 < kChunk ? nb - b0 : kChunk;
        // The integer sums in a loop of their own (compilers vectorize it), then the float
        // combination in block order.
        for (int i = 0; i < n; ++i)
          isum[i] = Q::isum(w + size_t(b0 + i) * Q::kBytes, xq + size_t(b0 + i) * kQuantBlock);
        for (int i = 0; i < n; ++i)
          acc += (block_scale(w + size_t(b0 + i) * Q::kBytes) * xd[b0 + i]) * float(isum[i]);
      }
      a.y[size_t(t) * size_t(a.OC) + size_t(o)] = acc + (a.bias ? a.bias[o] : 0.0f);
    }
  }
}

}  // namespace

void matmul_q8_0_ref(const QMatmulArgs& a, int r0, int r1) { matmul_blocks_ref<Q8Block>(a, r0, r1); }
void matmul_q4_0_ref(const QMatmulArgs& a, int r0, int r1) { matmul_blocks_ref<Q4Block>(a, r0, r1); }

}  // namespace sllm
