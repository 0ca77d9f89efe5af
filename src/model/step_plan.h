// step_plan.h: how a training step trades memory for compute (the trainer's recompute and
// chunked options), and the shape of the activations that follows from it for one batch.
//
// Legacy (neither option): the whole batch at once, every activation kept (the (B, T, V)
// logits and the (B, NH, T, T) attention probabilities included), materialized dropout masks.
// Otherwise the backward pass goes piece by piece over whole sequences (P rows; a sequence's
// rows meet only in attention), the MLP in pieces of M rows, the output layer and the loss in
// chunks of R rows, and dropout masks are counter-based (regenerated, never stored):
//  - chunked: P, M, R small (the logits and their gradient never whole, attention over blocks
//    of query rows with its probabilities recomputed in the backward pass);
//  - recompute: nothing but the current piece's block inputs is kept: the backward pass
//    recomputes each block of the piece from its input (the trainer runs forward and backward
//    piece by piece, so the batch's activations never exist at once).
// Recomputation gives bit-identical gradients to storing (the same kernels on the same rows,
// reduced in the same piece order), as does chunking without dropout for the legacy order's
// sums up to float rounding.
#pragma once
#include <cstdint>

#include "model/config.h"

namespace sllm {

struct StepPlan {
  bool recompute = false;
  bool chunked = false;
  // Row counts of the chunked pieces; 0 picks them from the budgets below (tests set them small).
  int piece_rows = 0, mlp_rows = 0, loss_rows = 0, attention_rows = 0;
  bool legacy() const { return !recompute && !chunked; }
};

// Everything the activation plans of the architectures need to lay out a step's buffers.
struct PassShape {
  int B = 0, T = 0;
  bool dropout = false;  // the model's dropout is on (masks)
  StepPlan plan;
  int P = 0, M = 0, R = 0;  // rows per piece (whole sequences), per MLP piece, per output chunk
  int Q = 0;                // query rows per block of the blocked attention (chunked)
  int lora_rank = 0;        // 0: no adapter
  uint32_t lora_targets = 0;
  bool lora_dropout = false;
  bool frozen = false;  // the base is frozen (an adapter is trained)

  bool legacy() const { return plan.legacy(); }
  bool stored() const { return !plan.recompute; }  // the forward keeps the batch's activations
  int pieces() const { return (B * T + P - 1) / P; }
  bool operator==(const PassShape& o) const {
    return B == o.B && T == o.T && dropout == o.dropout && plan.recompute == o.plan.recompute &&
           plan.chunked == o.plan.chunked && P == o.P && M == o.M && R == o.R && Q == o.Q && lora_rank == o.lora_rank &&
           lora_targets == o.lora_targets && lora_dropout == o.lora_dropout && frozen == o.frozen;
  }
  bool operator!=(const PassShape& o) const { return !(*this == o); }
};

// Floats of the widest chunk buffers: a piece's MLP rows hold about kMlpFloats, an output
// chunk kLogitFloats, and a piece at least kPieceRows rows (whole sequences).
constexpr int64_t kMlpFloats = 1 << 17, kLogitFloats = 1 << 19;
constexpr int kPieceRows = 256;
constexpr int kAttentionRows = 64;  // query rows per block of the blocked attention

// The shape of a (B, T) step of model c under plan (lora_rank 0: no adapter).
PassShape pass_shape(const ModelConfig& c, int B, int T, bool dropout, const StepPlan& plan, int lora_rank = 0,
                     uint32_t lora_targets = 0, bool lora_dropout = false, bool frozen = false);

}  // namespace sllm
