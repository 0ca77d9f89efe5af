// quant_kernels.h: linear layers and embedding lookups whose weight matrix stays in its file
// dtype (f32, f16, q8_0, q4_0; see format/dtype.h for the byte layouts), for inference.
//
// Like ggml, q8_0 and q4_0 products first quantize the activation row in blocks of 32 and then
// take per-block integer dot products. ggml rounds activations to int8 (its x86 and ARM dot
// instructions take 8-bit operands); wasm-simd128's integer dot product, i32x4.dot_i16x8_s,
// takes 16-bit ones, so we round them to int16: per block an f32 scale d = amax/32767 and
// q = round-half-even(x/d). It costs nothing (the int8 weights are widened to int16 either way,
// and the activations then need no widening) and the rounding error is 256 times smaller than
// int8's: the packed model's greedy text follows the f32 model's where int8 activations did not.
// Each block gives four exact int32 partial sums p_k (p_k sums the products of the j with
// j mod 8 in {2k, 2k+1}: the lanes of i32x4.dot_i16x8_s over the block's four i16x8), and
//   acc_k += float(p_k) * (d_w[o,b] * d_x[b])   over the blocks b in order, k = 0..3,
//   y[o] = ((acc_0 + acc_1) + (acc_2 + acc_3)) + bias[o].
// Every version computes these same integers and floats in this order, so _simd128 equals _ref
// bit for bit, and a batch of N rows gives each row exactly what the single-row (decoding)
// call gives.
// f16 weights are converted to f32 on the fly (exactly) and summed like matvec_ref (four
// partial sums over columns c mod 4, combined (s0 + s1) + (s2 + s3), then the tail): a row of
// the f16 kernel equals matvec_ref on the decoded matrix bit for bit.
// Conventions as kernels.h: _ref / _simd128 twins, dispatch by SLLM_KERNEL. The kernels take a
// range [r0, r1) of output columns (weight rows), so the work splits over threads by rows.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "format/dtype.h"
#include "kernels/kernels.h"

namespace sllm {

// A weight matrix (rows, cols), row-major, in its storage dtype: dtype_nbytes(dtype, rows*cols)
// bytes at data, row r at data + r * row_bytes(). For q8_0/q4_0, cols is a multiple of 32 (the
// blocks run along rows). F32 data must be 4-byte aligned; other dtypes need no alignment.
struct WeightView {
  DType dtype = DType::F32;
  const uint8_t* data = nullptr;
  int rows = 0, cols = 0;
  size_t row_bytes() const { return size_t(dtype_nbytes(dtype, uint64_t(cols))); }
  size_t nbytes() const { return row_bytes() * size_t(rows); }
  const float* f32() const { return reinterpret_cast<const float*>(data); }
};
// A checked view: throws Error(InvalidArgument) naming `name` when rows or cols is not
// positive, or when a q8_0/q4_0 matrix has rows whose length is not a multiple of 32.
WeightView make_weight_view(DType dtype, const void* data, int rows, int cols, const char* name);

// f16 -> f32 without branches, bit for bit f16_to_f32 (subnormals, inf, NaN payloads): the
// half's 15 magnitude bits placed under an f32 exponent 112 lower, scaled by 2^112 (exact),
// and the all-ones exponent mapped to 255. The _simd128 kernels do the same lane-wise.
inline float f16_to_f32_fast(uint16_t h) {
  const uint32_t bits = (uint32_t(int32_t(int16_t(h))) << 13) & 0x8FFFE000u;
  float f;
  std::memcpy(&f, &bits, 4);
  f *= 0x1p112f;
  uint32_t r;
  std::memcpy(&r, &f, 4);
  if ((bits & 0x0F800000u) == 0x0F800000u) r |= 0x7F800000u;
  std::memcpy(&f, &r, 4);
  return f;
}

// ---- activations in 16-bit blocks --------------------------------------------------------------
// nblocks blocks of 32 values of x become d[b] = amax/32767 (f32) and q[32 b + j] = the nearest
// integer (ties to even) to x * (1/d), saturated to [-32768, 32767]; NaN gives 0; an all-zero
// block gives d = 0 and q = 0.
constexpr float kActMax = 32767.0f;
void quantize_act_ref(float* d, int16_t* q, const float* x, size_t nblocks);
#if defined(__wasm_simd128__)
void quantize_act_simd128(float* d, int16_t* q, const float* x, size_t nblocks);
#endif
inline void quantize_act(float* d, int16_t* q, const float* x, size_t nblocks) {
  SLLM_KERNEL(quantize_act)(d, q, x, nblocks);
}

// ---- integer products: y (N, OC) = x (N, K) · W (OC, K)^T + bias, columns [r0, r1) --------------
// w: the q8_0 (or q4_0) matrix's bytes (OC rows of K/32 blocks); xd (N, K/32) and xq (N, K):
// x in 16-bit blocks (quantize_act); bias (OC) may be null; y rows have stride OC. K % 32 == 0.
struct QMatmulArgs {
  float* y;
  const uint8_t* w;
  const float* xd;
  const int16_t* xq;
  const float* bias;
  int N, K, OC;
};
void matmul_q8_0_ref(const QMatmulArgs& a, int r0, int r1);
void matmul_q4_0_ref(const QMatmulArgs& a, int r0, int r1);
#if defined(__wasm_simd128__)
void matmul_q8_0_simd128(const QMatmulArgs& a, int r0, int r1);
void matmul_q4_0_simd128(const QMatmulArgs& a, int r0, int r1);
#endif
inline void matmul_q8_0(const QMatmulArgs& a, int r0, int r1) { SLLM_KERNEL(matmul_q8_0)(a, r0, r1); }
inline void matmul_q4_0(const QMatmulArgs& a, int r0, int r1) { SLLM_KERNEL(matmul_q4_0)(a, r0, r1); }

// ---- f16 weights: y (N, OC) = x (N, K) · W (OC, K)^T + bias, columns [r0, r1) -----------------
// w: OC rows of K halves (little-endian); x (N, K) f32; any K >= 1.
struct F16MatmulArgs {
  float* y;
  const uint8_t* w;
  const float* x;
  const float* bias;
  int N, K, OC;
};
void matmul_f16_ref(const F16MatmulArgs& a, int r0, int r1);
#if defined(__wasm_simd128__)
void matmul_f16_simd128(const F16MatmulArgs& a, int r0, int r1);
#endif
inline void matmul_f16(const F16MatmulArgs& a, int r0, int r1) { SLLM_KERNEL(matmul_f16)(a, r0, r1); }

// ---- f16 -> f32: out (n) from n little-endian halves at h (exactly f16_to_f32) ------------------
void decode_f16_ref(float* out, const uint8_t* h, size_t n);
#if defined(__wasm_simd128__)
void decode_f16_simd128(float* out, const uint8_t* h, size_t n);
#endif
inline void decode_f16(float* out, const uint8_t* h, size_t n) { SLLM_KERNEL(decode_f16)(out, h, n); }

// ---- embedding rows: out (cols) = row `row` of w, dequantized (exactly decode_tensor's values) --
void embedding_row_ref(float* out, const WeightView& w, int row);
#if defined(__wasm_simd128__)
void embedding_row_simd128(float* out, const WeightView& w, int row);
#endif
inline void embedding_row(float* out, const WeightView& w, int row) { SLLM_KERNEL(embedding_row)(out, w, row); }

// ---- the linear layer on a WeightView ---------------------------------------------------------
// Scratch the linear layer reuses between calls (the activations in 16-bit blocks), one per caller.
struct LinearScratch {
  std::vector<float> xd;
  std::vector<int16_t> xq;
  uint64_t bytes() const { return uint64_t(xd.capacity()) * 4 + uint64_t(xq.capacity()) * 2; }
};
// Quantizes inp (N, w.cols) for w's kernel when w is q8_0 / q4_0 (else nothing).
void linear_prepare(const float* inp, const WeightView& w, int N, LinearScratch& scratch);
// Output columns [r0, r1) (rows of w) of out (N rows of stride ldy) = inp (N, K) · w^T + bias
// (bias indexed like w's rows, may be null): f32 through matvec (N = 1) or gemm, f16 through
// matmul_f16, q8_0 / q4_0 through matmul_q8_0 / matmul_q4_0 on linear_prepare's activations;
// split by rows over the thread pool (core/thread_pool.h), bit-identical on any thread count.
void linear_rows(float* out, int ldy, const float* inp, const WeightView& w, const float* bias, int N,
                 const LinearScratch& scratch, int r0, int r1);

// A linear layer's weight (OC, K): one matrix, or up to three row blocks of one (q | k | v,
// gate | up) that a file stores as separate tensors, each in its own dtype. Adjacent in an f32
// slab, the blocks are one f32 view.
struct LinearWeight {
  WeightView part[3];
  int parts = 0;
  int rows() const { return part[0].rows + (parts > 1 ? part[1].rows : 0) + (parts > 2 ? part[2].rows : 0); }
  int cols() const { return part[0].cols; }
};
inline LinearWeight linear_weight(const WeightView& w) {
  LinearWeight l;
  l.part[0] = w;
  l.parts = 1;
  return l;
}
// out (N, OC) = inp (N, K) · w^T + bias (OC, may be null). One f32 matrix goes through
// kernels.h's linear_forward (the training passes' numbers); otherwise linear_prepare once and
// linear_rows for each block into its columns.
void linear_forward(float* out, const float* inp, const LinearWeight& w, const float* bias, int N,
                    LinearScratch& scratch);
inline void linear_forward(float* out, const float* inp, const WeightView& w, const float* bias, int N,
                           LinearScratch& scratch) {
  linear_forward(out, inp, linear_weight(w), bias, N, scratch);
}

// ---- embeddings from WeightViews ----------------------------------------------------------------
// out (B*T, C) = rows tokens[i] of wte (+ rows pos0 + t of wpe when wpe is non-null), as
// encoder_forward does for f32 tables, dequantizing rows of f16 / q8_0 / q4_0 ones.
void embedding_forward(float* out, const int32_t* tokens, const WeightView& wte, const WeightView* wpe, int B,
                       int T, int pos0 = 0);

}  // namespace sllm
