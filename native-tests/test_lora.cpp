// test_lora.cpp: LoRA adapters (model/lora.h) on both architectures: the adapters' gradients
// against finite differences (every target, with and without the adapter's dropout and the
// model's), a frozen base (no gradient slab, only the adapter trains), a new adapter changing
// nothing, merging giving base + adapter's logits, decoding with an adapter equal to the full
// forward, and clear errors for a rank larger than a layer, a target the architecture lacks and
// an adapter made for another model.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "generate/decoder.h"
#include "gradcheck.h"
#include "lora_test_util.h"

using namespace sllm;
using namespace sllm::test;

namespace {
std::vector<float> logits_of(Model& m, const Batch2& b) {
  m.forward(b.x.data(), nullptr, b.B, b.T);
  return std::vector<float>(m.logits(), m.logits() + size_t(b.B * b.T) * size_t(m.config().vocab_size));
}
double max_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double w = 0;
  for (size_t i = 0; i < a.size(); ++i) w = std::max(w, double(std::fabs(a[i] - b[i])));
  return w;
}
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("adapter gradients match finite differences (gpt and llama, every target)", "[lora][grad]") {
  const Batch2 batch = random_batch(2, 7, 11, 3);
  for (const ModelConfig& base : tiny_variants())
    for (float dropout : {0.0f, 0.2f}) {
      ModelConfig c = base;
      c.dropout = dropout / 2;
      auto m = Model::create(c);
      randomize(*m, 17, 0.3f);
      attach_random_lora(*m, all_targets(c, 2, 3.0f, dropout), 21);
      INFO(describe(c) << ", adapter dropout " << dropout);
      const StepOut g = train_grads(*m, batch, 5, false);
      auto loss = [&] {
        Rng rng(5);
        return double(m->forward(batch.x.data(), batch.y.data(), batch.B, batch.T, true, &rng));
      };
      Model::Trainable t = m->trainable();
      CHECK(t.count == m->lora()->num_params());
      Rng pick(8);
      for (const ParamTensor& p : *t.tensors) {
        std::vector<size_t> idx;
        for (int k = 0; k < 8; ++k) idx.push_back(pick.below(uint32_t(p.numel)));
        const float eps = c.arch == "llama" ? 2e-3f : 1e-2f;
        check_grad(p.name, t.params + p.offset, g.grads.data() + p.offset, p.numel, loss, eps, idx);
      }
    }
}

TEST_CASE("an adapter freezes the base: no gradient slab, and a new adapter changes nothing", "[lora]") {
  const Batch2 batch = random_batch(2, 7, 11, 4);
  for (const ModelConfig& c : tiny_variants()) {
    auto m = Model::create(c);
    randomize(*m, 19, 0.3f);
    const std::vector<float> base = logits_of(*m, batch);
    auto lora = std::make_unique<Lora>(c, all_targets(c, 3));
    lora->init(7);
    m->attach_lora(std::move(lora));
    INFO(describe(c));
    CHECK(m->frozen());
    CHECK(m->grads() == nullptr);
    CHECK(max_diff(logits_of(*m, batch), base) == 0.0);  // B = 0: the update is exactly zero
    // The adapter's A starts kaiming-uniform within 1/sqrt(in), B at zero.
    const ParamTensor& a = m->lora()->tensors()[0];
    float amax = 0;
    for (size_t i = 0; i < a.numel; ++i) amax = std::max(amax, std::fabs(m->lora()->params()[a.offset + i]));
    CHECK(amax > 0.5f / std::sqrt(float(c.dim)));
    CHECK(amax <= 1.0f / std::sqrt(float(c.dim)));
    train_grads(*m, batch, 1, false);
    CHECK(m->grads() == nullptr);  // still no base gradients after a step
  }
}

TEST_CASE("merging an adapter gives the logits of base + adapter; disabling gives the base's", "[lora]") {
  const Batch2 batch = random_batch(2, 8, 11, 5);
  for (const ModelConfig& c : tiny_variants()) {
    auto m = Model::create(c);
    randomize(*m, 20, 0.3f);
    const std::vector<float> base = logits_of(*m, batch);
    attach_random_lora(*m, all_targets(c, 2, 4.0f), 13, 0.5f);
    const std::vector<float> adapted = logits_of(*m, batch);
    INFO(describe(c));
    CHECK(max_diff(adapted, base) > 1e-2);  // the adapter matters
    m->lora()->enabled = false;
    CHECK(max_diff(logits_of(*m, batch), base) == 0.0);
    m->lora()->enabled = true;
    // Decoding with the adapter: prefill and cached steps equal the full forward.
    {
      Decoder dec(*m);
      const float* last = dec.prefill(batch.x.data(), batch.T);
      std::vector<float> row(last, last + c.vocab_size);
      double w = 0;
      for (int v = 0; v < c.vocab_size; ++v)
        w = std::max(w, double(std::fabs(row[size_t(v)] - adapted[size_t(batch.T - 1) * c.vocab_size + size_t(v)])));
      CHECK(w < 1e-5);
    }
    m->merge_lora();
    CHECK_FALSE(m->frozen());
    const double d = max_diff(logits_of(*m, batch), adapted);
    INFO("merged vs adapter: largest logit difference " << d);
    CHECK(d < 1e-5);
  }
}

TEST_CASE("bad adapters get clear errors", "[lora][errors]") {
  const ModelConfig llama = tiny_config("llama", true, 1);  // attn_k and attn_v are 4 x 12
  LoraConfig lc = all_targets(llama, 5);
  CHECK_THAT(error_of([&] { Lora(llama, lc); }),
             Catch::Contains("rank 5 is larger than the attn_k layer (4 x 12)") && Catch::Contains("smaller rank"));
  const ModelConfig gpt = tiny_config("gpt", true);
  CHECK_THAT(error_of([&] { LoraConfig::parse_targets("attn_q,ffn_gate", gpt); }),
             Catch::Contains("the gpt architecture has no ffn_gate layer; its linear layers are attn_q, attn_k, "
                             "attn_v, attn_output, ffn_up, ffn_down"));
  CHECK_THAT(error_of([&] { LoraConfig::parse_targets("attn_z", gpt); }), Catch::Contains("unknown target layer \"attn_z\""));
  CHECK(LoraConfig::parse_targets("all", gpt) == lora_targets_of(gpt));
  CHECK(LoraConfig::parse_targets("mlp", llama) ==
        (lora_bit(LoraTarget::FfnGate) | lora_bit(LoraTarget::FfnUp) | lora_bit(LoraTarget::FfnDown)));
  CHECK(LoraConfig::parse_targets(" attn_q , attn_v", gpt) == (lora_bit(LoraTarget::AttnQ) | lora_bit(LoraTarget::AttnV)));
  LoraConfig gate;
  gate.targets = lora_bit(LoraTarget::FfnGate);
  CHECK_THAT(error_of([&] { Lora(gpt, gate); }), Catch::Contains("has no ffn_gate layer"));
  CHECK_THAT(error_of([&] { Lora(gpt, LoraConfig{}); }), Catch::Contains("no target layers"));
  // An adapter made for another shape of model.
  ModelConfig wider = gpt;
  wider.dim = 24;
  wider.heads = 4;
  wider.kv_heads = 4;
  wider.ffn_dim = 40;
  auto m = Model::create(gpt);
  CHECK_THAT(error_of([&] { m->attach_lora(std::make_unique<Lora>(wider, all_targets(wider))); }),
             Catch::Contains("made for a model of another shape"));
  CHECK_THAT(error_of([&] { m->merge_lora(); }), Catch::Contains("no LoRA adapter"));
}
