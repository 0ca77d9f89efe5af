// test_step_plan.cpp: the memory-saving training passes (model/step_plan.h) on both
// architectures, with and without an adapter and dropout: recomputing blocks gives
// bit-identical losses and gradients to storing them (and the trainer's piece-by-piece
// forward_backward to forward + backward), chunking agrees with the legacy whole-batch pass to
// float rounding, and the chunked recomputing pass's gradients match finite differences with
// every dropout on.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "gradcheck.h"
#include "lora_test_util.h"

using namespace sllm;
using namespace sllm::test;

namespace {
bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * 4) == 0;
}
}  // namespace

TEST_CASE("recomputation gives bit-identical losses and gradients to stored activations", "[model][step_plan]") {
  const Batch2 batch = random_batch(3, 7, 11, 5);
  for (const ModelConfig& base : tiny_variants())
    for (bool lora : {false, true})
      for (float dropout : {0.0f, 0.2f})
        for (bool chunked : {false, true}) {
          // Unchunked storing is the legacy pass, whose model-dropout masks are drawn from the
          // generator (not counter-based): there only the dropout-free runs can be equal.
          if (!chunked && dropout > 0.0f) continue;
          ModelConfig c = base;
          c.dropout = dropout;
          auto m = Model::create(c);
          randomize(*m, 17, 0.3f);
          if (lora) attach_random_lora(*m, all_targets(c, 2, 3.0f, dropout), 9);
          INFO(describe(c) << (lora ? ", LoRA" : "") << ", dropout " << dropout << (chunked ? ", chunked" : ""));
          m->set_step_plan(small_pieces(false, chunked));
          const StepOut stored = train_grads(*m, batch, 77, false);
          m->set_step_plan(small_pieces(true, chunked));
          const StepOut recomputed = train_grads(*m, batch, 77, false);
          const StepOut fused = train_grads(*m, batch, 77, true);
          CHECK(std::memcmp(&stored.loss, &recomputed.loss, 4) == 0);
          CHECK(std::memcmp(&stored.loss, &fused.loss, 4) == 0);
          CHECK(same_bits(stored.grads, recomputed.grads));
          CHECK(same_bits(stored.grads, fused.grads));
          double norm = 0;
          for (float g : stored.grads) norm += double(g) * g;
          CHECK(norm > 0);
        }
}

TEST_CASE("chunked passes agree with the legacy whole-batch pass", "[model][step_plan]") {
  const Batch2 batch = random_batch(3, 7, 11, 6);
  for (const ModelConfig& c : tiny_variants())
    for (bool lora : {false, true}) {
      auto m = Model::create(c);
      randomize(*m, 18, 0.3f);
      if (lora) attach_random_lora(*m, all_targets(c), 10);
      INFO(describe(c) << (lora ? ", LoRA" : ""));
      const StepOut legacy = train_grads(*m, batch, 1, false);
      m->set_step_plan(small_pieces(true, true));
      const StepOut chunked = train_grads(*m, batch, 1, true);
      CHECK(chunked.loss == Approx(legacy.loss).epsilon(1e-6));
      double worst = 0, scale = 0;
      for (size_t i = 0; i < legacy.grads.size(); ++i) {
        worst = std::max(worst, double(std::fabs(chunked.grads[i] - legacy.grads[i])));
        scale = std::max(scale, double(std::fabs(legacy.grads[i])));
      }
      INFO("largest difference " << worst << " of gradients up to " << scale);
      CHECK(worst <= 1e-5 * scale);
    }
}

TEST_CASE("the chunked recomputing pass's gradients match finite differences, dropout on", "[model][grad][step_plan]") {
  const Batch2 batch = random_batch(3, 7, 11, 7);
  for (const ModelConfig& base : tiny_variants())
    for (bool lora : {false, true}) {
      ModelConfig c = base;
      c.dropout = 0.1f;
      auto m = Model::create(c);
      randomize(*m, 19, 0.3f);
      if (lora) attach_random_lora(*m, all_targets(c, 2, 3.0f, 0.25f), 11);
      m->set_step_plan(small_pieces(true, true));
      INFO(describe(c) << (lora ? ", LoRA" : ""));
      const StepOut g = train_grads(*m, batch, 99, true);
      // The same masks each evaluation: the generator restarts from the same seed.
      auto loss = [&] {
        Rng rng(99);
        return double(m->forward(batch.x.data(), batch.y.data(), batch.B, batch.T, true, &rng));
      };
      Model::Trainable t = m->trainable();
      Rng pick(4);
      for (const ParamTensor& p : *t.tensors) {
        std::vector<size_t> idx;
        for (int k = 0; k < 6; ++k) idx.push_back(pick.below(uint32_t(p.numel)));
        if (p.name.find("attn_k.bias") != std::string::npos) continue;  // exactly zero (see test_model.cpp)
        // llama's RMSNorms curve more (see test_model.cpp); so does an adapter's A, whose entries
        // are ten times the weights' size.
        const float eps = c.arch == "llama" ? (lora ? 2e-3f : 4e-3f) : 1e-2f;
        check_grad(p.name, t.params + p.offset, g.grads.data() + p.offset, p.numel, loss, eps, idx);
      }
    }
}
