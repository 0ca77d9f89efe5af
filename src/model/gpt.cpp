// gpt.cpp: the GPT's parameter layout (names and shapes per the SLLM spec), its views, its
// activation plan and its registry entry. The passes are in gpt_forward.cpp.
#include "model/gpt.h"

#include <string>

#include "core/error.h"
#include "kernels/attention.h"

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

GPT::BlockActs GPT::Activations::block(const ModelConfig& c, int l) {
  const size_t BT = size_t(B) * size_t(T), C = size_t(c.dim), F = size_t(c.ffn_dim), L = size_t(l);
  const size_t att_per_layer = BT * size_t(c.heads) * size_t(T);
  return BlockActs{ln1 + L * BT * C,
                   ln1_mean + L * BT,
                   ln1_rstd + L * BT,
                   qkv + L * BT * 3 * C,
                   atty + L * BT * C,
                   att + L * att_per_layer,
                   residual2 + L * BT * C,
                   ln2 + L * BT * C,
                   ln2_mean + L * BT,
                   ln2_rstd + L * BT,
                   fch + L * BT * F,
                   fch_gelu + L * BT * F,
                   residual3 + L * BT * C,
                   att_mask ? att_mask + L * att_per_layer : nullptr,
                   attproj_mask ? attproj_mask + L * BT * C : nullptr,
                   fcproj_mask ? fcproj_mask + L * BT * C : nullptr};
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
    : Model(config, std::move(layout), packing) {
  on_weights_moved();
}

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
