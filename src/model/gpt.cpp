// gpt.cpp: the GPT's parameter layout (names and shapes per the SLLM spec), its views, its
// activation plan (step_plan.h's modes) and its registry entry. The passes are in
// gpt_forward.cpp and gpt_backward.cpp, driven by pass_driver.h.
#include "model/gpt.h"

#include <algorithm>
#include <string>

#include "core/error.h"
#include "kernels/attention.h"
#include "model/pass_driver.h"

namespace sllm {

namespace {

void gpt_layout(const ModelConfig& cfg, LayoutSink& b) {
  const int64_t V = cfg.vocab_size, C = cfg.dim, F = cfg.ffn_dim, T = cfg.context_length;
  b.add(-1, "token_embd.weight", {V, C}, Init::Normal);
  b.add(-1, "position_embd.weight", {T, C}, Init::Normal);
  for (int l = 0; l < cfg.layers; ++l) {
    b.add(l, "attn_norm.weight", {C}, Init::Ones);
    b.add(l, "attn_norm.bias", {C}, Init::Zeros);
    b.add(l, "attn_q.weight", {C, C}, Init::Normal);  // q, k, v weights adjacent: one (3C, C) matrix
    b.add(l, "attn_k.weight", {C, C}, Init::Normal);
    b.add(l, "attn_v.weight", {C, C}, Init::Normal);
    b.add(l, "attn_q.bias", {C}, Init::Zeros);  // and their biases: one (3C) vector
    b.add(l, "attn_k.bias", {C}, Init::Zeros);
    b.add(l, "attn_v.bias", {C}, Init::Zeros);
    b.add(l, "attn_output.weight", {C, C}, Init::NormalResidual);
    b.add(l, "attn_output.bias", {C}, Init::Zeros);
    b.add(l, "ffn_norm.weight", {C}, Init::Ones);
    b.add(l, "ffn_norm.bias", {C}, Init::Zeros);
    b.add(l, "ffn_up.weight", {F, C}, Init::Normal);
    b.add(l, "ffn_up.bias", {F}, Init::Zeros);
    b.add(l, "ffn_down.weight", {C, F}, Init::NormalResidual);
    b.add(l, "ffn_down.bias", {C}, Init::Zeros);
  }
  b.add(-1, "output_norm.weight", {C}, Init::Ones);
  b.add(-1, "output_norm.bias", {C}, Init::Zeros);
  if (!cfg.tie_embeddings) b.add(-1, "output.weight", {V, C}, Init::Normal);
}

void gpt_validate(const ModelConfig& c) {
  if (c.kv_heads != c.heads)
    fail(ErrorCode::Config, "invalid model config: kv_heads " + std::to_string(c.kv_heads) + " must equal heads " +
                                std::to_string(c.heads) + " for arch \"gpt\" (grouped-query attention is llama's)");
}


}  // namespace


GPT::BlockActs GPT::Activations::layer(const ModelConfig& c, int l) {
  const size_t N = size_t(shape.B) * size_t(shape.T), C = size_t(c.dim), F = size_t(c.ffn_dim), L = size_t(l);
  const size_t att_per_layer = N * size_t(c.heads) * size_t(shape.T), r = size_t(shape.lora_rank);
  BlockActs b{ln1 + L * N * C,
              ln1_mean + L * N,
              ln1_rstd + L * N,
              qkv + L * N * 3 * C,
              atty + L * N * C,
              shape.plan.chunked ? nullptr : att + L * att_per_layer,
              shape.dropout && !shape.plan.chunked ? att_mask + L * att_per_layer : nullptr,
              residual2 + L * N * C,
              ln2 + L * N * C,
              ln2_mean + L * N,
              ln2_rstd + L * N,
              fch + L * N * F,
              fch_gelu + L * N * F,
              residual3 + L * N * C,
              shape.legacy() && shape.dropout ? attproj_mask + L * N * C : nullptr,
              shape.legacy() && shape.dropout ? fcproj_mask + L * N * C : nullptr,
              {}};
  for (int t = 0; t < kLoraTargets; ++t) b.u[t] = (shape.lora_targets >> t) & 1 ? u[t] + L * N * r : nullptr;
  return b;
}

GPT::BlockActs GPT::Activations::piece(const ModelConfig& c) {
  BlockActs b{ln1,  ln1_mean, ln1_rstd, qkv, atty, shape.plan.chunked ? nullptr : att,
              shape.dropout && !shape.plan.chunked ? att_mask : nullptr,
              residual2, ln2, ln2_mean, ln2_rstd, fch, fch_gelu, nullptr, nullptr, nullptr, {}};
  for (int t = 0; t < kLoraTargets; ++t) b.u[t] = (shape.lora_targets >> t) & 1 ? u[t] : nullptr;
  return b;
}

const Architecture& gpt_architecture() {
  static const Architecture a{
      "gpt",
      "GPT-2: LayerNorm, learned positions, GELU MLP, biases",
      gpt_validate,
      gpt_layout,
      Model::activation_floats_of<GPT::Activations>,
      Model::decode_floats_of<GPT::DecodeBufs>,
      [](const ModelConfig& c, std::vector<ParamTensor> layout, const ModelPacking* packing) -> std::unique_ptr<Model> {
        return std::make_unique<GPT>(c, std::move(layout), packing);
      },
      [](int dim) { return 4 * dim; }};
  return a;
}

GPT::GPT(const ModelConfig& config, std::vector<ParamTensor> layout, const ModelPacking* packing)
    : DrivenModel(config, std::move(layout), packing) {
  on_weights_moved();
}

uint64_t GPT::activation_floats(const PassShape& s) const { return gpt_architecture().activation_floats(cfg_, s); }

GPT::ParamViews GPT::views(float* base) const {
  // Walks tensors_ in layout order; the order of gpt_layout is the contract.
  size_t i = 0;
  auto next = [&]() { return slab_tensor(base, i++); };
  ParamViews v;
  v.wte = next();
  v.wpe = next();
  v.layer.resize(size_t(cfg_.layers));
  for (auto& L : v.layer) {
    L.ln1w = next();
    L.ln1b = next();
    L.qkvw = next();
    i += 2;  // k, v weights follow q
    L.qkvb = next();
    i += 2;
    L.attprojw = next();
    L.attprojb = next();
    L.ln2w = next();
    L.ln2b = next();
    L.fcw = next();
    L.fcb = next();
    L.fcprojw = next();
    L.fcprojb = next();
  }
  v.lnfw = next();
  v.lnfb = next();
  v.wout = cfg_.tie_embeddings ? v.wte : next();
  return v;
}

GPT::BlockActs GPT::shift(const BlockActs& a, int64_t rows, bool attention, bool mlp) const {
  if (rows == 0) return a;
  const size_t n = size_t(rows), C = size_t(cfg_.dim), F = size_t(cfg_.ffn_dim), r = size_t(act_.shape.lora_rank);
  auto mv = [&](float*& p, size_t width) {
    if (p) p += n * width;
  };
  BlockActs b = a;
  if (attention) {
    mv(b.ln1, C), mv(b.ln1_mean, 1), mv(b.ln1_rstd, 1), mv(b.qkv, 3 * C), mv(b.atty, C), mv(b.attproj_mask, C);
    const size_t per_row = size_t(cfg_.heads) * size_t(act_.shape.T);  // (NH, T, T) per sequence of T rows
    mv(b.att, per_row), mv(b.att_mask, per_row);
    for (LoraTarget t : {LoraTarget::AttnQ, LoraTarget::AttnK, LoraTarget::AttnV, LoraTarget::AttnOutput})
      mv(b.u[int(t)], r);
  }
  if (attention || mlp) mv(b.residual2, C);
  if (mlp) {
    mv(b.ln2, C), mv(b.ln2_mean, 1), mv(b.ln2_rstd, 1), mv(b.fch, F), mv(b.fch_gelu, F), mv(b.residual3, C);
    mv(b.fcproj_mask, C), mv(b.u[int(LoraTarget::FfnUp)], r), mv(b.u[int(LoraTarget::FfnDown)], r);
  }
  return b;
}

GPT::Matrices GPT::matrices() const {
  // The tensor indices of gpt_layout's order, as views() walks them.
  constexpr size_t kPerLayer = 16, kQ = 2, kAttnOut = 8, kUp = 12, kDown = 14;
  Matrices m;
  m.wte = weight(0);
  m.wpe = weight(1);
  m.layer.resize(size_t(cfg_.layers));
  for (size_t l = 0; l < m.layer.size(); ++l) {
    const size_t b = 2 + l * kPerLayer;
    m.layer[l] = {linear_weight(b + kQ, 3), linear_weight(b + kAttnOut, 1), linear_weight(b + kUp, 1),
                  linear_weight(b + kDown, 1)};
  }
  m.wout = linear_weight(cfg_.tie_embeddings ? 0 : 2 + m.layer.size() * kPerLayer + 2, 1);
  return m;
}

}  // namespace sllm
