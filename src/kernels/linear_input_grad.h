// linear_input_grad.h: the input's gradient of a linear layer whose weight stays in its file
// dtype (the frozen base of a LoRA fine-tune): dinp (N, K) += dout (N, OC) · W (OC, K), with W's
// rows dequantized kLinearGradTile at a time into an f32 tile (exactly decode_tensor's values,
// by embedding_row's _ref / _simd128 twins) and accumulated by gemm, so no f32 copy of the whole
// matrix ever exists. The tile is scratch of the calling thread, kept between calls.
#pragma once
#include <cstdint>

#include "kernels/quant_kernels.h"

namespace sllm {

constexpr int kLinearGradTile = 64;  // rows of W dequantized at a time

// dinp (N, w.cols()) += dout (N, w.rows()) · w. An f32 matrix goes straight to gemm.
void linear_input_grad(float* dinp, const float* dout, const LinearWeight& w, int N);

// True when w is one f32 matrix (what the f32 kernels take as it is).
inline bool is_f32_matrix(const LinearWeight& w) { return w.parts == 1 && w.part[0].dtype == DType::F32; }

// Floats of the tile linear_input_grad keeps for a weight of `cols` columns.
inline uint64_t linear_input_grad_floats(uint64_t cols) { return uint64_t(kLinearGradTile) * cols; }

}  // namespace sllm
