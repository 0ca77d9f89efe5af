// linear_op.h: one linear layer of a block as the training and decoding passes run it: the base
// weight (trained, or frozen under an adapter), its bias, and the LoRA adapters (lora.h) on row
// blocks of it (gpt's fused q|k|v carries up to three). Forward:
//   out = inp · W^T + b + sum over adapters of columns [c0, c0 + v.out) += scale B A dropout(inp)
// keeping each adapter's u = scale A dropout(inp) (n, rank) for the backward pass, which adds
// the input's gradient (through W and the adapters) and the gradients of whatever is trained.
// The adapter's dropout masks are counter-based (dropout_hash.h): element (row0 + i, j) of the
// layer's input in stream `key`, regenerated in the backward pass instead of stored.
// The base weight is one f32 matrix, or (a frozen, packed base) row blocks in their file dtype
// (f16, q8_0, q4_0): decoding runs the quantized kernels on them; the training passes
// dequantize a tile of rows at a time for gemm, forward and backward (tiled_linear.h), never a
// whole f32 copy, so a packed base trains with the products of its dequantized f32 model.
#pragma once
#include <cstdint>

#include "kernels/quant_kernels.h"
#include "model/lora.h"

namespace sllm {

struct LinearOp {
  LinearWeight w;            // (out, in) base weight
  LinearScratch* qs = nullptr;  // a packed weight's quantized activations
  const float* b = nullptr;  // (out) or null
  float* dw = nullptr;       // base gradients, null when the base is frozen
  float* db = nullptr;
  int in = 0, out = 0;
  struct Adapter {
    const Lora::View* v;  // the adapter's tensors
    int c0;               // the first output column (row of w) it adds to
    float* u;             // (n, rank): scale A dropout(x), written by forward, read by backward
    uint64_t key;         // its dropout stream
  };
  Adapter lora[3] = {};
  int nlora = 0;
  float lora_dropout = 0.0f;  // p of the adapters' input dropout (0 outside training)
  bool decode = false;        // decoding: one row goes through matvec (training passes: gemm, so
                              // a row's numbers never depend on how many rows run together)

  // Adds adapter v at column c0 when v is not null (u: its (n, rank) rows).
  void add(const Lora::View* v, int c0, float* u, uint64_t key) {
    if (v) lora[nlora++] = Adapter{v, c0, u, key};
  }
};

// Scratch of the adapters' passes: du (n, max rank); xd and tmp (n, in) only with dropout.
struct LoraScratch {
  float *du = nullptr, *xd = nullptr, *tmp = nullptr;
};

// out (n, op.out) = the layer on inp (n, op.in); row0: the rows' first row in the batch.
void linear_op_forward(const LinearOp& op, float* out, const float* inp, int n, int64_t row0, const LoraScratch& s);
// Only the adapters' u rows (what the backward pass needs when a forward is recomputed for it).
void linear_op_adapters(const LinearOp& op, const float* inp, int n, int64_t row0, const LoraScratch& s);
// dinp (n, op.in) += d/d(inp) given dout (n, op.out); adds into op.dw, op.db (unless null) and
// the adapters' gradients. dinp may be null (nothing needs the input's gradient).
void linear_op_backward(const LinearOp& op, float* dinp, const float* dout, const float* inp, int n, int64_t row0,
                        const LoraScratch& s);

// Floats of LoraScratch for n rows of an op with input width in, adapters of rank r.
inline uint64_t lora_scratch_floats(uint64_t n, uint64_t in, uint64_t r, bool dropout) {
  return n * r + (dropout ? 2 * n * in : 0);
}

}  // namespace sllm
