// attention.h: multi-head causal self-attention with grouped-query heads (GQA: NKV key/value
// heads, each shared by NH / NKV query heads; GPT is the case NKV = NH), on strided views of
// the q, k and v rows, so the same kernels serve training (q, k, v packed in one row per
// token), batched prefill against a KV cache (Tk - Tq earlier positions) and one-token decoding.
// Part of kernels.h; the training and prefill forms are built on gemm and causal_softmax (so
// they run SIMD in the SIMD build), the one-token form has its own _ref and _simd128 kernels.
#pragma once
#include <cstddef>

#include "kernels/dispatch.h"

namespace sllm {

// Where the operands live. Query row (b, t), t < Tq, starts at q + (b*Tq + t)*ldq, and query head
// h at column h*hs of it; key/value row (b, t), t < Tk, at k (v) + b*kv_batch + t*ldkv, kv head g
// at column g*hs. Output row (b, t) at out + (b*Tq + t)*ldo, head h at h*hs. Query head h reads
// kv head h / (NH / NKV). Causal: query t sees positions 0 .. (Tk - Tq) + t.
struct AttentionArgs {
  int B, Tq, Tk, NH, NKV, hs;
  const float* q; int ldq;
  const float* k; const float* v; int ldkv; size_t kv_batch;
  float* out; int ldo;
};

// Gradients in the layout of AttentionArgs' q, k, v (same strides); the backward pass adds into them.
struct AttentionGrads {
  float* dq; float* dk; float* dv;
};

// Threads split the work over heads (the backward over key/value heads, each with the query
// heads it serves, in order), so results are bit-identical on any thread count; each thread's
// scratch (2 Tq Tk floats) is its own, kept between calls.

// out = softmax(q k^T / sqrt(hs), causal) v per head. att (B, NH, Tq, Tk), if not null, keeps the
// softmax for the backward pass (null: inference, nothing kept). drop_mask (B, NH, Tq, Tk), if
// not null, multiplies the attention weights (values 0 or 1/(1-p)) before they meet v.
void attention_forward(const AttentionArgs& a, float* att, const float* drop_mask);
// dq, dk, dv += the gradients given dout (rows like out); att and drop_mask from the forward.
void attention_backward(const AttentionArgs& a, const AttentionGrads& g, const float* dout, const float* att,
                        const float* drop_mask);

// One query row per head against Tk cached positions (decoding one token), for heads
// [h0, h1): out (NH*hs) from q (NH*hs) and the k/v rows t < Tk at k (v) + t*ldkv (kv head g at
// g*hs). scratch: Tk floats. The same numbers as attention_forward with Tq = 1 up to float
// rounding of the sums.
void attention_step_ref(float* out, const float* q, const float* k, const float* v, int ldkv, int Tk, int NH,
                        int NKV, int hs, int h0, int h1, float* scratch);
#if defined(__wasm_simd128__)
void attention_step_simd128(float* out, const float* q, const float* k, const float* v, int ldkv, int Tk, int NH,
                            int NKV, int hs, int h0, int h1, float* scratch);
#endif
// All heads, split over threads.
void attention_step(float* out, const float* q, const float* k, const float* v, int ldkv, int Tk, int NH, int NKV,
                    int hs);

}  // namespace sllm
