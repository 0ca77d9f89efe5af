// step_plan.cpp: the row counts of a step's pieces (see step_plan.h).
#include "model/step_plan.h"

#include <algorithm>

namespace sllm {

PassShape pass_shape(const ModelConfig& c, int B, int T, bool dropout, const StepPlan& plan, int lora_rank,
                     uint32_t lora_targets, bool lora_dropout, bool frozen) {
  PassShape s;
  s.B = B, s.T = T, s.dropout = dropout, s.plan = plan;
  s.lora_rank = lora_rank, s.lora_targets = lora_rank > 0 ? lora_targets : 0;
  s.lora_dropout = lora_rank > 0 && lora_dropout, s.frozen = frozen;
  const int N = B * T;
  if (!plan.chunked) {
    s.P = s.M = s.R = N;
    return s;
  }
  const int piece = plan.piece_rows > 0 ? plan.piece_rows : kPieceRows;
  s.P = std::max(1, std::min(B, piece / T)) * T;
  const int64_t mlp = plan.mlp_rows > 0 ? plan.mlp_rows : kMlpFloats / std::max(1, c.ffn_dim);
  const int64_t loss = plan.loss_rows > 0 ? plan.loss_rows : kLogitFloats / std::max(1, c.vocab_size);
  s.M = int(std::max<int64_t>(1, std::min<int64_t>(s.P, mlp)));
  s.R = int(std::max<int64_t>(1, std::min<int64_t>(s.P, loss)));
  s.Q = plan.attention_rows > 0 ? plan.attention_rows : kAttentionRows;
  return s;
}

}  // namespace sllm
