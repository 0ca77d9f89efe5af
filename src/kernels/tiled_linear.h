// tiled_linear.h: the training passes' products with a weight that stays in its file dtype
// (the frozen base of a LoRA fine-tune): W's rows are dequantized kLinearTile at a time into an
// f32 tile (exactly decode_tensor's values, by embedding_row's _ref / _simd128 twins) and
// multiplied by gemm, so no f32 copy of the whole matrix ever exists and the products are the
// f32 model's: each output column's sum is gemm's over the whole input width, as on the
// dequantized matrix. (Decoding, a few rows at a time, uses the integer kernels of
// quant_kernels.h instead; for a batch of rows, the tile's conversion is a small part of the
// work and the blocked f32 GEMM is faster.) The tile is scratch of the calling thread, kept
// between calls.
#pragma once
#include <cstdint>

#include "kernels/quant_kernels.h"

namespace sllm {

constexpr int kLinearTile = 64;  // rows of W dequantized at a time

// out (N, w.rows()) = inp (N, w.cols()) · w^T + bias (may be null).
void tiled_linear_forward(float* out, const float* inp, const LinearWeight& w, const float* bias, int N);
// dinp (N, w.cols()) += dout (N, w.rows()) · w. An f32 matrix goes straight to gemm.
void linear_input_grad(float* dinp, const float* dout, const LinearWeight& w, int N);

// True when w is one f32 matrix (what the f32 kernels take as it is).
inline bool is_f32_matrix(const LinearWeight& w) { return w.parts == 1 && w.part[0].dtype == DType::F32; }

// Floats of the tile for a weight of `cols` columns.
inline uint64_t tiled_linear_floats(uint64_t cols) { return uint64_t(kLinearTile) * cols; }

}  // namespace sllm
