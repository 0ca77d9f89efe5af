// llama_kernels.h: the kernels the llama family adds (part of kernels.h): RMSNorm, rotary
// position embeddings on adjacent pairs (2i, 2i+1) of each head (as llama.cpp applies RoPE to
// LLM_ARCH_LLAMA), and the SwiGLU gate. Each has a portable _ref version and a _simd128 one,
// forward and backward side by side; backward kernels add into their gradient outputs, except
// RoPE's, which transforms its gradient in place (as the forward rotates in place).
#pragma once
#include <cstddef>

#include "kernels/dispatch.h"

namespace sllm {

// ---- RMSNorm over the last dim: out = x / sqrt(mean(x^2) + eps) * weight -----------------------
// out (N, C), rstd (N) from inp (N, C), weight (C).
void rmsnorm_forward_ref(float* out, float* rstd, const float* inp, const float* weight, int N, int C, float eps);
// The backward in two pieces (so threads can split each over its outputs): dinp rows (N, C) += ...,
// and dweight[c] += the sum over the N rows (in row order) for columns c in [c0, c1).
void rmsnorm_backward_dinp_ref(float* dinp, const float* dout, const float* inp, const float* weight,
                               const float* rstd, int N, int C);
void rmsnorm_backward_dweight_ref(float* dweight, const float* dout, const float* inp, const float* rstd, int N,
                                  int C, int c0, int c1);
#if defined(__wasm_simd128__)
void rmsnorm_forward_simd128(float* out, float* rstd, const float* inp, const float* weight, int N, int C, float eps);
void rmsnorm_backward_dinp_simd128(float* dinp, const float* dout, const float* inp, const float* weight,
                                   const float* rstd, int N, int C);
void rmsnorm_backward_dweight_simd128(float* dweight, const float* dout, const float* inp, const float* rstd, int N,
                                      int C, int c0, int c1);
#endif
// Threads split the forward and dinp over rows, dweight over columns (parallel_llama.cpp).
void rmsnorm_forward(float* out, float* rstd, const float* inp, const float* w, int N, int C, float eps);
// dinp (N, C), dweight (C) += ... (dweight null: frozen, skipped)
void rmsnorm_backward(float* dinp, float* dw, const float* dout, const float* inp, const float* w, const float* rstd,
                      int N, int C);

// ---- rotary position embeddings ---------------------------------------------------------------
// The table for positions 0 .. maxT-1 and head size hs (even): cos2 and sin2 (maxT, hs), with
// theta_i = pos * base^(-2i/hs) for pair i (computed as ggml does: theta *= base^(-2/hs) per
// pair, in float), cos2[p][2i] = cos2[p][2i+1] = cos(theta_i), sin2[p][2i] = -sin(theta_i),
// sin2[p][2i+1] = sin(theta_i).
void rope_table(float* cos2, float* sin2, int maxT, int hs, float base);
// Rotates, in place, `heads` heads of hs values in each row (b, t) of x (B*T rows, row stride
// ld): pair (x[2i], x[2i+1]) of a head by the angle of position pos0 + t.
//   x'[2i] = x[2i] cos - x[2i+1] sin,  x'[2i+1] = x[2i+1] cos + x[2i] sin.
void rope_forward_ref(float* x, int B, int T, int ld, int heads, int hs, int pos0, const float* cos2,
                      const float* sin2);
// The backward pass: rotates the gradient by the opposite angle, in place.
void rope_backward_ref(float* dx, int B, int T, int ld, int heads, int hs, int pos0, const float* cos2,
                       const float* sin2);
#if defined(__wasm_simd128__)
void rope_forward_simd128(float* x, int B, int T, int ld, int heads, int hs, int pos0, const float* cos2,
                          const float* sin2);
void rope_backward_simd128(float* dx, int B, int T, int ld, int heads, int hs, int pos0, const float* cos2,
                           const float* sin2);
#endif
// Threads split the rows.
void rope_forward(float* x, int B, int T, int ld, int heads, int hs, int pos0, const float* c, const float* s);
void rope_backward(float* dx, int B, int T, int ld, int heads, int hs, int pos0, const float* c, const float* s);

// ---- SwiGLU: h = silu(gate) * up, silu(g) = g / (1 + e^-g) -------------------------------------
// h (N, F) from gu (N, 2F), each row the gate's F values then the up projection's F values.
void swiglu_forward_ref(float* h, const float* gu, int N, int F);
// dgu (N, 2F) += d/d(gate, up) given dh (N, F).
void swiglu_backward_ref(float* dgu, const float* gu, const float* dh, int N, int F);
#if defined(__wasm_simd128__)
void swiglu_forward_simd128(float* h, const float* gu, int N, int F);
void swiglu_backward_simd128(float* dgu, const float* gu, const float* dh, int N, int F);
#endif
// Threads split the rows.
void swiglu_forward(float* h, const float* gu, int N, int F);
void swiglu_backward(float* dgu, const float* gu, const float* dh, int N, int F);

}  // namespace sllm
