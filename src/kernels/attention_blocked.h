// attention_blocked.h: causal self-attention for training without its (B, NH, T, T)
// probabilities: the queries go in blocks of qb rows, each thread holding only one block's
// scores against the keys it sees (qb x Tk floats), and the backward pass recomputes them from
// q and k (flash-attention style; the softmax of a block row is the whole row, so recomputing
// it with the same kernel gives the forward's probabilities bit for bit). Dropout on the
// attention weights uses counter-based masks (dropout_hash.h), regenerated in the backward
// pass: weight (b, h, i, j) is element first + ((b * NH + h) * Tq + i) * Tk + j of stream `key`.
// Built on gemm and causal_softmax (so SIMD in the SIMD build), split over the thread pool by
// heads as attention.h's kernels are, so results are bit-identical on any thread count. The
// forward equals attention_forward's bit for bit (the keys a block cannot see add exact zeros
// there); the backward sums dk, dv block by block, so it agrees with attention_backward to
// float rounding.
#pragma once
#include <cstdint>

#include "kernels/attention.h"

namespace sllm {

struct AttentionDropout {
  uint64_t key = 0;
  float p = 0.0f;  // 0: no dropout
  uint64_t first = 0;  // the mask's element of (b, h, i, j) = (0, 0, 0, 0)
};


// out = softmax(q k^T / sqrt(hs), causal) v, nothing kept but out.
void attention_forward_blocked(const AttentionArgs& a, int qb, const AttentionDropout& drop);
// dq, dk, dv += the gradients given dout, recomputing the probabilities block by block.
void attention_backward_blocked(const AttentionArgs& a, const AttentionGrads& g, const float* dout, int qb,
                                const AttentionDropout& drop);

}  // namespace sllm
