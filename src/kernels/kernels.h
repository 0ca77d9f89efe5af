// kernels.h: every numerical kernel of the core, forward and backward side by side.
//
// Each kernel has a portable scalar version (suffix _ref, kept forever as the baseline) and,
// when compiled for wasm with -msimd128 (__wasm_simd128__), a wasm-simd128 version (suffix
// _simd128). The unsuffixed name dispatches to the best compiled version; where the work pays
// for it, the dispatcher splits it over the thread pool (parallel_*.cpp: over output elements,
// so the result is bit-identical to the one-thread call whatever the thread count). All tensors are
// contiguous row-major float32; shapes are given in the comments as (rows, cols).
// Backward kernels ADD into their gradient outputs; callers zero gradients first.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/dispatch.h"

namespace sllm {


// ---- gemm: C (M,N) = beta*C + op(A) (M,K) · op(B) (K,N), beta in {0, 1} ---------------------
// op(A) is A (M,K) with row stride lda, or when trans_a, the transpose of A stored (K,M).
// op(B) is B (K,N) with row stride ldb, or when trans_b, the transpose of B stored (N,K).
// Cache-blocked (packed panels) and register-tiled.
struct GemmArgs {
  int M, N, K;
  const float* A; int lda; bool trans_a;
  const float* B; int ldb; bool trans_b;
  float* C; int ldc;
  bool accumulate;  // beta = 1 when true, else C is overwritten
};
// gemm_ref / gemm_simd128 split the rows of C over the thread pool themselves (each block of B
// packed once for all threads; inline on one thread or inside a parallel region).
void gemm_ref(const GemmArgs& g);
#if defined(__wasm_simd128__)
void gemm_simd128(const GemmArgs& g);
#endif
void gemm(const GemmArgs& g);  // parallel over row or column blocks of C

// ---- linear layer (llm.c's matmul) -----------------------------------------------------------
// out (N, OC) = inp (N, C) · weight (OC, C)^T + bias (OC); bias may be null.
void matmul_forward(float* out, const float* inp, const float* weight, const float* bias, int N, int C, int OC);
// dinp (N, C) += dout · weight; dweight (OC, C) += dout^T · inp; dbias (OC) += column sums of dout.
// Any of dinp, dbias may be null (skipped).
void matmul_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int N, int C, int OC);
// matmul_forward, or matvec when N = 1 (decoding one token): the linear layer of every pass.
void linear_forward(float* out, const float* inp, const float* weight, const float* bias, int N, int C, int OC);
// y (OC) = weight (OC, C) · x (C) + bias (OC): the single-row case used by generation.
void matvec_ref(float* y, const float* weight, const float* x, const float* bias, int C, int OC);
#if defined(__wasm_simd128__)
void matvec_simd128(float* y, const float* weight, const float* x, const float* bias, int C, int OC);
#endif
void matvec(float* y, const float* w, const float* x, const float* b, int C, int OC);  // parallel over rows
// dbias (OC) += column sums of dout (N, OC).
void bias_backward_ref(float* dbias, const float* dout, int N, int OC);
#if defined(__wasm_simd128__)
void bias_backward_simd128(float* dbias, const float* dout, int N, int OC);
#endif
void bias_backward(float* dbias, const float* dout, int N, int OC);  // parallel over columns

// ---- embeddings ------------------------------------------------------------------------------
// out (B*T, C) = wte[tokens[i]] + wpe[pos0 + t] for row i = (b, t); wpe may be null (no learned
// positions: the token embedding alone).
void encoder_forward(float* out, const int32_t* tokens, const float* wte, const float* wpe, int B, int T, int C,
                     int pos0 = 0);
// dwte (and dwpe, unless null) += scatter of dout (B*T, C).
void encoder_backward(float* dwte, float* dwpe, const float* dout, const int32_t* tokens, int B, int T, int C);

// ---- LayerNorm over the last dim -------------------------------------------------------------
// out (N, C), mean (N), rstd (N) from inp (N, C), weight (C), bias (C).
void layernorm_forward_ref(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                           const float* bias, int N, int C, float eps);
// dinp (N, C), dweight (C), dbias (C) += ...: the two pieces below, dinp row by row, then the
// weight and bias gradients column by column (so threads can split each over its outputs).
void layernorm_backward_ref(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                            const float* weight, const float* mean, const float* rstd, int N, int C);
// dinp rows (N, C) += ...
void layernorm_backward_dinp_ref(float* dinp, const float* dout, const float* inp, const float* weight,
                                 const float* mean, const float* rstd, int N, int C);
// dweight[c], dbias[c] += sums over the N rows (in row order) for columns c in [c0, c1).
void layernorm_backward_dparams_ref(float* dweight, float* dbias, const float* dout, const float* inp,
                                    const float* mean, const float* rstd, int N, int C, int c0, int c1);
#if defined(__wasm_simd128__)
void layernorm_forward_simd128(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                               const float* bias, int N, int C, float eps);
void layernorm_backward_simd128(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                                const float* weight, const float* mean, const float* rstd, int N, int C);
void layernorm_backward_dinp_simd128(float* dinp, const float* dout, const float* inp, const float* weight,
                                     const float* mean, const float* rstd, int N, int C);
void layernorm_backward_dparams_simd128(float* dweight, float* dbias, const float* dout, const float* inp,
                                        const float* mean, const float* rstd, int N, int C, int c0, int c1);
#endif
// Forward parallel over rows; backward over rows (dinp), then over columns (dweight, dbias;
// both null: frozen, skipped).
void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* w, const float* b,
                       int N, int C, float eps);
void layernorm_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp, const float* w,
                        const float* mean, const float* rstd, int N, int C);

// ---- GELU (tanh approximation, as GPT-2 and ggml) --------------------------------------------
void gelu_forward_ref(float* out, const float* inp, size_t n);
void gelu_backward_ref(float* dinp, const float* inp, const float* dout, size_t n);  // dinp += ...
#if defined(__wasm_simd128__)
void gelu_forward_simd128(float* out, const float* inp, size_t n);
void gelu_backward_simd128(float* dinp, const float* inp, const float* dout, size_t n);
#endif
void gelu_forward(float* out, const float* inp, size_t n);                      // parallel elementwise
void gelu_backward(float* dinp, const float* inp, const float* dout, size_t n);  // parallel elementwise

// ---- residual add ----------------------------------------------------------------------------
void residual_forward_ref(float* out, const float* a, const float* b, size_t n);  // out = a + b
void add_inplace_ref(float* acc, const float* x, size_t n);                       // acc += x
#if defined(__wasm_simd128__)
void residual_forward_simd128(float* out, const float* a, const float* b, size_t n);
void add_inplace_simd128(float* acc, const float* x, size_t n);
#endif
void residual_forward(float* out, const float* a, const float* b, size_t n);  // parallel elementwise
// The residual's backward: da += dout and db += dout are each an add_inplace.
void add_inplace(float* acc, const float* x, size_t n);  // parallel elementwise
void zero_fill(float* x, size_t n);                      // x[0:n) = 0, parallel (gradient buffers)

// ---- causal softmax over rows of attention matrices -----------------------------------------
// Each of R matrices is (Tq, Tk): Tq query rows against Tk positions, the first Tk - Tq of them
// earlier (cached) positions. Row t of out = softmax(scale * inp[t, 0..Tk-Tq+t]), zeros after.
void causal_softmax_forward_ref(float* out, const float* inp, int R, int Tq, int Tk, float scale);
// dinp (R, Tq, Tk) = scale * softmax backward of att given datt (overwrites dinp).
void causal_softmax_backward_ref(float* dinp, const float* att, const float* datt, int R, int Tq, int Tk,
                                 float scale);
#if defined(__wasm_simd128__)
void causal_softmax_forward_simd128(float* out, const float* inp, int R, int Tq, int Tk, float scale);
void causal_softmax_backward_simd128(float* dinp, const float* att, const float* datt, int R, int Tq, int Tk,
                                     float scale);
#endif
inline void causal_softmax_forward(float* out, const float* inp, int R, int Tq, int Tk, float scale) {
  SLLM_KERNEL(causal_softmax_forward)(out, inp, R, Tq, Tk, scale);
}
inline void causal_softmax_backward(float* dinp, const float* att, const float* datt, int R, int Tq, int Tk,
                                    float scale) {
  SLLM_KERNEL(causal_softmax_backward)(dinp, att, datt, R, Tq, Tk, scale);
}

// ---- dropout ---------------------------------------------------------------------------------
// Fills mask (n) with 0 or 1/(1-p) from rng draws (uniform < p drops).
class Rng;
void dropout_mask(float* mask, size_t n, float p, Rng& rng);
void mul_inplace_ref(float* x, const float* m, size_t n);  // x *= m elementwise (forward and backward)
#if defined(__wasm_simd128__)
void mul_inplace_simd128(float* x, const float* m, size_t n);
#endif
void mul_inplace(float* x, const float* m, size_t n);  // parallel elementwise

// ---- softmax + cross-entropy over the vocabulary (fused) -------------------------------------
// In place: logits (N, V) become probabilities; losses (N) = -log p[target]. Returns sum of losses.
double crossentropy_forward_ref(float* probs_inout, float* losses, const int32_t* targets, int N, int V);
// In place: probs (N, V) become dlogits = (probs - onehot(target)) * dloss.
void crossentropy_backward_ref(float* probs_inout, const int32_t* targets, int N, int V, float dloss);
#if defined(__wasm_simd128__)
double crossentropy_forward_simd128(float* probs_inout, float* losses, const int32_t* targets, int N, int V);
void crossentropy_backward_simd128(float* probs_inout, const int32_t* targets, int N, int V, float dloss);
#endif
// Parallel over rows; the forward's total adds the row losses in row order, as on one thread.
double crossentropy_forward(float* p, float* losses, const int32_t* t, int N, int V);
void crossentropy_backward(float* p, const int32_t* t, int N, int V, float dloss);

// ---- optimizer and gradient-norm kernels -----------------------------------------------------
// One AdamW update of n values (PyTorch's AdamW): p -= lr*wd*p; m, v moments; bias-corrected
// step p -= lr * (m/bc1) / (sqrt(v/bc2) + eps), where bc1 = 1 - beta1^t, bc2 = 1 - beta2^t.
struct AdamWStep {
  float lr, beta1, beta2, eps, weight_decay, bc1, bc2;
};
void adamw_update_ref(float* p, const float* g, float* m, float* v, size_t n, const AdamWStep& s);
#if defined(__wasm_simd128__)
void adamw_update_simd128(float* p, const float* g, float* m, float* v, size_t n, const AdamWStep& s);
#endif
void adamw_update(float* p, const float* g, float* m, float* v, size_t n, const AdamWStep& s);  // parallel
// Sum of squares (accumulated in double) and in-place scaling, for global-norm clipping.
double sum_squares_ref(const float* x, size_t n);
void scale_inplace_ref(float* x, float s, size_t n);
#if defined(__wasm_simd128__)
double sum_squares_simd128(const float* x, size_t n);
void scale_inplace_simd128(float* x, float s, size_t n);
#endif
// Parallel; sum_squares adds its 256-element block sums in block order, as on one thread.
double sum_squares(const float* x, size_t n);
void scale_inplace(float* x, float s, size_t n);

}  // namespace sllm

#include "kernels/attention.h"     // multi-head causal attention (GQA), training and decoding
#include "kernels/llama_kernels.h"  // RMSNorm, RoPE, SwiGLU
