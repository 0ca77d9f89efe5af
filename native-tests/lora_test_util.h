// lora_test_util.h: what the LoRA and step-plan tests share: a tiny model with an adapter whose
// B is non-zero (a fresh adapter's gradient of A is zero), random batches, and one training
// step's loss and trainable gradients under a plan.
#pragma once
#include <memory>
#include <vector>

#include "core/rng.h"
#include "model/lora.h"
#include "model/model.h"
#include "model_util.h"

namespace sllm::test {

inline LoraConfig all_targets(const ModelConfig& c, int rank = 2, float alpha = 3.0f, float dropout = 0.0f) {
  LoraConfig lc;
  lc.rank = rank;
  lc.alpha = alpha;
  lc.dropout = dropout;
  lc.targets = lora_targets_of(c);
  return lc;
}

// Attaches an initialized adapter with B drawn at random (scale), so both A and B get gradients.
inline Lora& attach_random_lora(Model& m, const LoraConfig& lc, uint64_t seed, float scale = 0.3f) {
  auto lora = std::make_unique<Lora>(m.config(), lc);
  lora->init(seed);
  Rng rng(seed + 1);
  for (const ParamTensor& t : lora->tensors())
    if (t.name.find("lora_b") != std::string::npos)
      for (size_t i = 0; i < t.numel; ++i) lora->params()[t.offset + i] = scale * rng.normal();
  m.attach_lora(std::move(lora));
  return *m.lora();
}

struct Batch2 {
  int B, T;
  std::vector<int32_t> x, y;
};
inline Batch2 random_batch(int B, int T, int V, uint64_t seed) {
  Batch2 b{B, T, std::vector<int32_t>(size_t(B * T)), std::vector<int32_t>(size_t(B * T))};
  Rng rng(seed);
  for (auto& t : b.x) t = int32_t(rng.below(uint32_t(V)));
  for (auto& t : b.y) t = int32_t(rng.below(uint32_t(V)));
  return b;
}

struct StepOut {
  float loss;
  std::vector<float> grads;  // the trainable gradients
};
// One training step's loss and gradients: forward (training) + backward, or forward_backward.
inline StepOut train_grads(Model& m, const Batch2& b, uint64_t rng_seed, bool fused) {
  m.zero_grad();
  Rng rng(rng_seed);
  float loss;
  if (fused) {
    loss = m.forward_backward(b.x.data(), b.y.data(), b.B, b.T, &rng, 1.0f);
  } else {
    loss = m.forward(b.x.data(), b.y.data(), b.B, b.T, true, &rng);
    m.backward(1.0f);
  }
  Model::Trainable t = m.trainable();
  return {loss, std::vector<float>(t.grads, t.grads + t.count)};
}

// A plan whose pieces split a (3, 7) batch of the tiny models: one sequence per piece, MLP
// pieces of 3 rows, loss chunks of 5 rows, attention blocks of 3 query rows.
inline StepPlan small_pieces(bool recompute, bool chunked) {
  StepPlan p;
  p.recompute = recompute;
  p.chunked = chunked;
  p.piece_rows = 7;
  p.mlp_rows = 3;
  p.loss_rows = 5;
  p.attention_rows = 3;
  return p;
}

}  // namespace sllm::test
