// gpt.cpp: the GPT's parameter layout (names and shapes per the SLLM spec), its views and its
// initialization. The forward and backward passes are in gpt_forward.cpp.
#include "model/gpt.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "core/error.h"

namespace sllm {

GPT::GPT(const ModelConfig& config, bool initialize) : cfg_(config) {
  cfg_.validate();
  tensors_ = gpt_tensor_layout(cfg_);
  params_.assign(tensors_.empty() ? 0 : tensors_.back().offset + tensors_.back().numel, 0.0f);
  w_ = views(params_.data());
  if (initialize) init_weights();
}

GPT::GPT(const ModelConfig& config, std::vector<ParamTensor> layout) : cfg_(config) {
  cfg_.validate();
  tensors_ = std::move(layout);
  // A cheap check (building the layout again would hold it twice): the sizes add up.
  if (tensors_.empty() || tensors_.back().offset + tensors_.back().numel != cfg_.param_count())
    fail(ErrorCode::Config, "GPT: the given tensor layout is not the config's");
  params_.assign(tensors_.empty() ? 0 : tensors_.back().offset + tensors_.back().numel, 0.0f);
  w_ = views(params_.data());
}

std::vector<ParamTensor> gpt_tensor_layout(const ModelConfig& cfg) {
  const int64_t V = cfg.vocab_size, C = cfg.dim, F = cfg.ffn_dim, T = cfg.context_length;
  std::vector<ParamTensor> tensors;
  size_t offset = 0;
  auto add = [&](std::string name, std::vector<int64_t> shape) {
    size_t n = 1;
    for (int64_t d : shape) n *= size_t(d);
    bool decay = shape.size() == 2;
    tensors.push_back(ParamTensor{std::move(name), std::move(shape), offset, n, decay});
    offset += n;
  };
  add("token_embd.weight", {V, C});
  add("position_embd.weight", {T, C});
  for (int l = 0; l < cfg.layers; ++l) {
    std::string p = "blk." + std::to_string(l) + ".";
    add(p + "attn_norm.weight", {C});
    add(p + "attn_norm.bias", {C});
    add(p + "attn_q.weight", {C, C});  // q, k, v weights adjacent: one (3C, C) matrix
    add(p + "attn_k.weight", {C, C});
    add(p + "attn_v.weight", {C, C});
    add(p + "attn_q.bias", {C});  // and their biases: one (3C) vector
    add(p + "attn_k.bias", {C});
    add(p + "attn_v.bias", {C});
    add(p + "attn_output.weight", {C, C});
    add(p + "attn_output.bias", {C});
    add(p + "ffn_norm.weight", {C});
    add(p + "ffn_norm.bias", {C});
    add(p + "ffn_up.weight", {F, C});
    add(p + "ffn_up.bias", {F});
    add(p + "ffn_down.weight", {C, F});
    add(p + "ffn_down.bias", {C});
  }
  add("output_norm.weight", {C});
  add("output_norm.bias", {C});
  if (!cfg.tie_embeddings) add("output.weight", {V, C});
  return tensors;
}

void GPT::set_dropout(float p) {
  if (!(p >= 0.0f && p < 1.0f)) fail(ErrorCode::Config, "dropout must be in [0, 1)");
  cfg_.dropout = p;
}

const ParamTensor* GPT::find_tensor(const std::string& name) const {
  for (auto& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

ParamViews GPT::views(float* base) const {
  // Walks tensors_ in layout order; the order above is the contract.
  size_t i = 0;
  auto next = [&]() { return base + tensors_[i++].offset; };
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

void GPT::init_weights() {
  Rng rng(cfg_.init_seed);
  const float std_w = 0.02f;
  const float std_proj = 0.02f / std::sqrt(2.0f * float(cfg_.layers));
  auto ends_with = [](const std::string& s, const char* suffix) {
    std::string t(suffix);
    return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
  };
  for (const auto& t : tensors_) {
    float* p = params_.data() + t.offset;
    if (ends_with(t.name, "norm.weight")) {
      for (size_t k = 0; k < t.numel; ++k) p[k] = 1.0f;
    } else if (ends_with(t.name, ".bias")) {
      for (size_t k = 0; k < t.numel; ++k) p[k] = 0.0f;
    } else {
      bool residual_out = ends_with(t.name, "attn_output.weight") || ends_with(t.name, "ffn_down.weight");
      float s = residual_out ? std_proj : std_w;
      for (size_t k = 0; k < t.numel; ++k) p[k] = s * rng.normal();
    }
  }
}

float* GPT::grads() {
  if (grads_.empty()) {
    grads_.assign(params_.size(), 0.0f);
    g_ = views(grads_.data());
  }
  return grads_.data();
}

const ParamViews& GPT::grad_views() {
  grads();
  return g_;
}

void GPT::zero_grad() {
  if (!grads_.empty()) std::fill(grads_.begin(), grads_.end(), 0.0f);
}

void GPT::ensure_activations(int B, int T, bool dropout) {
  if (B == act_.B && T == act_.T && dropout == act_.dropout) return;
  // Sizes in 64-bit first: in wasm32 a large batch could otherwise wrap size_t.
  {
    const uint64_t L = uint64_t(cfg_.layers), C = uint64_t(cfg_.dim), F = uint64_t(cfg_.ffn_dim),
                   V = uint64_t(cfg_.vocab_size), NH = uint64_t(cfg_.heads), BT = uint64_t(B) * uint64_t(T);
    const uint64_t per_layer = BT * (8 * C + 2 * F + 4) + NH * uint64_t(B) * uint64_t(T) * uint64_t(T) * (dropout ? 2 : 1);
    const uint64_t floats = L * per_layer + BT * (10 * C + 2 * F + V + 4) + 2 * uint64_t(T) * uint64_t(T) +
                            (dropout ? L * BT * 2 * C : 0);
    if (floats > uint64_t(SIZE_MAX) / 8)
      fail(ErrorCode::OutOfMemory, "activations for batch " + std::to_string(B) + " x sequence " + std::to_string(T) +
                                       " need " + std::to_string(floats * 4 / 1000000) +
                                       " MB, more than this build can address; use a smaller batch or sequence");
  }
  const size_t L = size_t(cfg_.layers), C = size_t(cfg_.dim), F = size_t(cfg_.ffn_dim);
  const size_t V = size_t(cfg_.vocab_size), NH = size_t(cfg_.heads), BT = size_t(B) * size_t(T);
  const size_t TT = size_t(T) * size_t(T);
  struct Slot { float** ptr; size_t n; };
  Activations& a = act_;
  a = Activations{};
  std::vector<Slot> slots = {
      {&a.encoded, BT * C},          {&a.ln1, L * BT * C},          {&a.ln1_mean, L * BT},
      {&a.ln1_rstd, L * BT},         {&a.qkv, L * BT * 3 * C},      {&a.atty, L * BT * C},
      {&a.att, L * B * NH * TT},     {&a.residual2, L * BT * C},    {&a.ln2, L * BT * C},
      {&a.ln2_mean, L * BT},         {&a.ln2_rstd, L * BT},         {&a.fch, L * BT * F},
      {&a.fch_gelu, L * BT * F},     {&a.residual3, L * BT * C},    {&a.lnf, BT * C},
      {&a.lnf_mean, BT},             {&a.lnf_rstd, BT},             {&a.logits, BT * V},
      {&a.losses, BT},               {&a.tmp, BT * C},              {&a.dresidual, BT * C},
      {&a.dln, BT * C},              {&a.datty, BT * C},            {&a.dqkv, BT * 3 * C},
      {&a.dfch, BT * F},             {&a.dfch_gelu, BT * F},        {&a.att_scratch, 2 * TT},
  };
  if (dropout) {
    slots.push_back({&a.att_mask, L * B * NH * TT});
    slots.push_back({&a.attproj_mask, L * BT * C});
    slots.push_back({&a.fcproj_mask, L * BT * C});
  }
  size_t total = 0;
  for (auto& s : slots) total += (s.n + 3) & ~size_t(3);  // keep every view 16-byte aligned
  act_slab_.clear();
  act_slab_.shrink_to_fit();
  act_slab_.assign(total, 0.0f);
  float* p = act_slab_.data();
  for (auto& s : slots) {
    *s.ptr = p;
    p += (s.n + 3) & ~size_t(3);
  }
  a.B = B;
  a.T = T;
  a.dropout = dropout;
}

}  // namespace sllm
