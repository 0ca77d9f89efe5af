// llama.cpp: the llama architecture's parameter layout (GGUF's names and shapes, per the SLLM
// spec), its validity rules, views, activation and decode plans, and its registry entry. The
// passes are in llama_forward.cpp.
#include "model/llama.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "kernels/kernels.h"
#include "model/pass_driver.h"

namespace sllm {

namespace {

void llama_layout(const ModelConfig& cfg, LayoutSink& b) {
  const int64_t V = cfg.vocab_size, C = cfg.dim, F = cfg.ffn_dim;
  const int64_t KV = int64_t(cfg.kv_heads) * (cfg.dim / cfg.heads);
  b.add(-1, "token_embd.weight", {V, C}, Init::Normal);
  for (int l = 0; l < cfg.layers; ++l) {
    b.add(l, "attn_norm.weight", {C}, Init::Ones);
    b.add(l, "attn_q.weight", {C, C}, Init::Normal);  // q, k, v adjacent: one (C + 2KV, C) matrix
    b.add(l, "attn_k.weight", {KV, C}, Init::Normal);
    b.add(l, "attn_v.weight", {KV, C}, Init::Normal);
    b.add(l, "attn_output.weight", {C, C}, Init::NormalResidual);
    b.add(l, "ffn_norm.weight", {C}, Init::Ones);
    b.add(l, "ffn_gate.weight", {F, C}, Init::Normal);  // gate, up adjacent: one (2F, C) matrix
    b.add(l, "ffn_up.weight", {F, C}, Init::Normal);
    b.add(l, "ffn_down.weight", {C, F}, Init::NormalResidual);
  }
  b.add(-1, "output_norm.weight", {C}, Init::Ones);
  if (!cfg.tie_embeddings) b.add(-1, "output.weight", {V, C}, Init::Normal);
}

void llama_validate(const ModelConfig& c) {
  auto bad = [](const std::string& msg) { fail(ErrorCode::Config, "invalid model config: " + msg); };
  if (c.heads % c.kv_heads != 0)
    bad("kv_heads " + std::to_string(c.kv_heads) + " does not divide heads " + std::to_string(c.heads) +
        "; each key/value head must serve the same number of query heads");
  if (c.head_dim() % 2 != 0)
    bad("the head size dim / heads = " + std::to_string(c.head_dim()) +
        " is odd; rotary embeddings rotate pairs of values, so it must be even");
  if (!(c.rope_theta > 1.0f) || !std::isfinite(c.rope_theta)) bad("rope_theta must be a number greater than 1");
}


}  // namespace


Llama::BlockActs Llama::Activations::layer(const ModelConfig& c, int l) {
  const size_t N = size_t(shape.B) * size_t(shape.T), C = size_t(c.dim), F = size_t(c.ffn_dim), L = size_t(l);
  const size_t D = C + 2 * size_t(c.kv_heads) * size_t(c.head_dim());
  const size_t att_per_layer = N * size_t(c.heads) * size_t(shape.T), r = size_t(shape.lora_rank);
  BlockActs b{xn1 + L * N * C,
              rstd1 + L * N,
              qkv + L * N * D,
              atty + L * N * C,
              shape.plan.chunked ? nullptr : att + L * att_per_layer,
              shape.dropout && !shape.plan.chunked ? att_mask + L * att_per_layer : nullptr,
              residual2 + L * N * C,
              xn2 + L * N * C,
              rstd2 + L * N,
              gu + L * N * 2 * F,
              h + L * N * F,
              residual3 + L * N * C,
              shape.legacy() && shape.dropout ? attproj_mask + L * N * C : nullptr,
              shape.legacy() && shape.dropout ? ffn_mask + L * N * C : nullptr,
              {}};
  for (int t = 0; t < kLoraTargets; ++t) b.u[t] = (shape.lora_targets >> t) & 1 ? u[t] + L * N * r : nullptr;
  return b;
}

Llama::BlockActs Llama::Activations::piece(const ModelConfig& c) {
  BlockActs b{xn1, rstd1, qkv, atty, shape.plan.chunked ? nullptr : att,
              shape.dropout && !shape.plan.chunked ? att_mask : nullptr,
              residual2, xn2, rstd2, gu, h, nullptr, nullptr, nullptr, {}};
  for (int t = 0; t < kLoraTargets; ++t) b.u[t] = (shape.lora_targets >> t) & 1 ? u[t] : nullptr;
  return b;
}

const Architecture& llama_architecture() {
  static const Architecture a{
      "llama",
      "llama: RMSNorm, rotary positions, SwiGLU MLP, grouped-query attention, no biases",
      llama_validate,
      llama_layout,
      Model::activation_floats_of<Llama::Activations>,
      Model::decode_floats_of<Llama::DecodeBufs>,
      [](const ModelConfig& c, std::vector<ParamTensor> layout, const ModelPacking* packing) -> std::unique_ptr<Model> {
        return std::make_unique<Llama>(c, std::move(layout), packing);
      },
      // SwiGLU's three matrices at 8/3 x dim hold as many weights as GPT's two at 4 x dim;
      // rounded up to a multiple of 32 so the rows quantize into whole q8_0/q4_0 blocks.
      [](int dim) { return (8 * dim / 3 + 31) / 32 * 32; }};
  return a;
}

Llama::Llama(const ModelConfig& config, std::vector<ParamTensor> layout, const ModelPacking* packing)
    : DrivenModel(config, std::move(layout), packing),
      kv_dim_(config.kv_heads * config.head_dim()),
      qkv_dim_(config.dim + 2 * kv_dim_),
      cos_(size_t(config.context_length) * size_t(config.head_dim())),
      sin_(cos_.size()) {
  rope_table(cos_.data(), sin_.data(), config.context_length, config.head_dim(), config.rope_theta);
  on_weights_moved();
}

Llama::ParamViews Llama::views(float* base) const {
  // Walks tensors_ in layout order; the order of llama_layout is the contract.
  size_t i = 0;
  auto next = [&]() { return slab_tensor(base, i++); };
  ParamViews v;
  v.wte = next();
  v.layer.resize(size_t(cfg_.layers));
  for (auto& L : v.layer) {
    L.attn_norm = next();
    L.wqkv = next();
    i += 2;  // k, v follow q
    L.wo = next();
    L.ffn_norm = next();
    L.wgu = next();
    i += 1;  // up follows gate
    L.wdown = next();
  }
  v.norm = next();
  v.wout = cfg_.tie_embeddings ? v.wte : next();
  return v;
}

Llama::Matrices Llama::matrices() const {
  // The tensor indices of llama_layout's order, as views() walks them.
  constexpr size_t kPerLayer = 9, kQ = 1, kOut = 4, kGate = 6, kDown = 8;
  Matrices m;
  m.wte = weight(0);
  m.layer.resize(size_t(cfg_.layers));
  for (size_t l = 0; l < m.layer.size(); ++l) {
    const size_t b = 1 + l * kPerLayer;
    m.layer[l] = {linear_weight(b + kQ, 3), linear_weight(b + kOut, 1), linear_weight(b + kGate, 2),
                  linear_weight(b + kDown, 1)};
  }
  m.wout = linear_weight(cfg_.tie_embeddings ? 0 : 1 + m.layer.size() * kPerLayer + 1, 1);
  return m;
}

}  // namespace sllm

namespace sllm {

uint64_t Llama::activation_floats(const PassShape& s) const { return llama_architecture().activation_floats(cfg_, s); }

Llama::BlockActs Llama::shift(const BlockActs& a, int64_t rows, bool attention, bool mlp) const {
  if (rows == 0) return a;
  const size_t n = size_t(rows), C = size_t(cfg_.dim), F = size_t(cfg_.ffn_dim), r = size_t(act_.shape.lora_rank);
  auto mv = [&](float*& p, size_t width) {
    if (p) p += n * width;
  };
  BlockActs b = a;
  if (attention) {
    mv(b.xn1, C), mv(b.rstd1, 1), mv(b.qkv, size_t(qkv_dim_)), mv(b.atty, C), mv(b.attproj_mask, C);
    const size_t per_row = size_t(cfg_.heads) * size_t(act_.shape.T);  // (NH, T, T) per sequence of T rows
    mv(b.att, per_row), mv(b.att_mask, per_row);
    for (LoraTarget t : {LoraTarget::AttnQ, LoraTarget::AttnK, LoraTarget::AttnV, LoraTarget::AttnOutput})
      mv(b.u[int(t)], r);
  }
  if (attention || mlp) mv(b.residual2, C);
  if (mlp) {
    mv(b.xn2, C), mv(b.rstd2, 1), mv(b.gu, 2 * F), mv(b.h, F), mv(b.residual3, C), mv(b.ffn_mask, C);
    for (LoraTarget t : {LoraTarget::FfnGate, LoraTarget::FfnUp, LoraTarget::FfnDown}) mv(b.u[int(t)], r);
  }
  return b;
}

}  // namespace sllm
