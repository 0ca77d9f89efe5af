// lora.cpp: LoRA adapters (see lora.h): target names and shapes per architecture, validation,
// the adapter's tensor layout, initialization and its views.
#include "model/lora.h"

#include <cmath>

#include "core/error.h"
#include "core/rng.h"

namespace sllm {

namespace {
const char* const kNames[kLoraTargets] = {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"};

[[noreturn]] void bad(const std::string& msg) { fail(ErrorCode::Config, "invalid LoRA settings: " + msg); }

std::string names_of(uint32_t targets) {
  std::string s;
  for (int t = 0; t < kLoraTargets; ++t)
    if (targets & (1u << t)) s += (s.empty() ? "" : ", ") + std::string(kNames[t]);
  return s;
}
}  // namespace

const char* lora_target_name(LoraTarget t) { return kNames[int(t)]; }

uint32_t lora_targets_of(const ModelConfig& c) {
  const uint32_t all = (1u << kLoraTargets) - 1;
  return c.arch == "llama" ? all : all & ~lora_bit(LoraTarget::FfnGate);
}

LoraShape lora_shape(const ModelConfig& c, LoraTarget t) {
  const int C = c.dim, F = c.ffn_dim, KV = c.kv_heads * c.head_dim();
  switch (t) {
    case LoraTarget::AttnQ: return {C, C};
    case LoraTarget::AttnK:
    case LoraTarget::AttnV: return {C, KV};
    case LoraTarget::AttnOutput: return {C, C};
    case LoraTarget::FfnGate:
    case LoraTarget::FfnUp: return {C, F};
    case LoraTarget::FfnDown: return {F, C};
  }
  return {0, 0};
}

uint32_t LoraConfig::parse_targets(const std::string& s, const ModelConfig& model) {
  const uint32_t have = lora_targets_of(model);
  const uint32_t attention = lora_bit(LoraTarget::AttnQ) | lora_bit(LoraTarget::AttnK) |
                             lora_bit(LoraTarget::AttnV) | lora_bit(LoraTarget::AttnOutput);
  if (s == "all") return have;
  if (s == "attention") return attention;
  if (s == "mlp") return have & ~attention;
  uint32_t out = 0;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    std::string name = s.substr(start, end - start);
    while (!name.empty() && name.front() == ' ') name.erase(name.begin());
    while (!name.empty() && name.back() == ' ') name.pop_back();
    int found = -1;
    for (int t = 0; t < kLoraTargets; ++t)
      if (name == kNames[t]) found = t;
    if (found < 0)
      bad("unknown target layer \"" + name + "\"; the " + model.arch + " architecture's linear layers are " +
          names_of(have) + " (or \"all\", \"attention\", \"mlp\")");
    if (!(have & (1u << found)))
      bad("the " + model.arch + " architecture has no " + name + " layer; its linear layers are " + names_of(have));
    out |= 1u << found;
    start = end + 1;
  }
  return out;
}

std::string LoraConfig::targets_string(uint32_t targets) {
  std::string s;
  for (int t = 0; t < kLoraTargets; ++t)
    if (targets & (1u << t)) s += (s.empty() ? "" : ",") + std::string(kNames[t]);
  return s;
}

uint64_t lora_param_count(const ModelConfig& c, const LoraConfig& lc) {
  uint64_t n = 0;
  for (int t = 0; t < kLoraTargets; ++t)
    if (lc.targets & (1u << t)) {
      const LoraShape s = lora_shape(c, LoraTarget(t));
      n += uint64_t(lc.rank) * uint64_t(s.in + s.out);
    }
  return n * uint64_t(c.layers);
}

std::vector<ParamTensor> Lora::layout(const ModelConfig& model, const LoraConfig& cfg) {
  if (cfg.rank < 1) bad("rank must be at least 1");
  if (!(cfg.alpha > 0.0f) || !std::isfinite(cfg.alpha)) bad("alpha must be a positive number");
  if (!(cfg.dropout >= 0.0f && cfg.dropout < 1.0f)) bad("dropout must be in [0, 1)");
  if (cfg.targets == 0) bad("no target layers");
  const uint32_t have = lora_targets_of(model);
  if (cfg.targets & ~have)
    bad("the " + model.arch + " architecture has no " + names_of(cfg.targets & ~have) + " layer; its linear layers are " +
        names_of(have));
  for (int t = 0; t < kLoraTargets; ++t) {
    if (!(cfg.targets & (1u << t))) continue;
    const LoraShape s = lora_shape(model, LoraTarget(t));
    if (cfg.rank > std::min(s.in, s.out))
      bad("rank " + std::to_string(cfg.rank) + " is larger than the " + kNames[t] + " layer (" + std::to_string(s.out) +
          " x " + std::to_string(s.in) + "); a rank above " + std::to_string(std::min(s.in, s.out)) +
          " adds nothing: use a smaller rank");
  }
  LayoutBuilder b;
  for (int l = 0; l < model.layers; ++l)
    for (int t = 0; t < kLoraTargets; ++t) {
      if (!(cfg.targets & (1u << t))) continue;
      const LoraShape s = lora_shape(model, LoraTarget(t));
      const std::string base = std::string(kNames[t]) + ".weight";
      b.add(l, (base + ".lora_a").c_str(), {cfg.rank, s.in}, Init::Normal);
      b.add(l, (base + ".lora_b").c_str(), {s.out, cfg.rank}, Init::Zeros);
    }
  return b.take();
}

Lora::Lora(const ModelConfig& model, const LoraConfig& cfg)
    : cfg_(cfg), layers_(model.layers), tensors_(layout(model, cfg)) {
  params_.assign(size_t(layout_floats(tensors_)), 0.0f);
  build_views();
}

void Lora::build_views() {
  views_.clear();
  index_.assign(size_t(layers_) * kLoraTargets, -1);
  size_t i = 0;
  for (int l = 0; l < layers_; ++l)
    for (int t = 0; t < kLoraTargets; ++t) {
      if (!(cfg_.targets & (1u << t))) continue;
      const ParamTensor &ta = tensors_[i], &tb = tensors_[i + 1];
      float* g = grads_.empty() ? nullptr : grads_.data();
      views_.push_back(View{params_.data() + ta.offset, params_.data() + tb.offset, g ? g + ta.offset : nullptr,
                            g ? g + tb.offset : nullptr, int(ta.shape[1]), int(tb.shape[0]), cfg_.rank, cfg_.scale(),
                            LoraTarget(t)});
      index_[size_t(l) * kLoraTargets + size_t(t)] = int(views_.size() - 1);
      i += 2;
    }
}

void Lora::init(uint64_t seed) {
  Rng rng(seed, 0x10ad);
  for (const ParamTensor& t : tensors_) {
    float* p = params_.data() + t.offset;
    if (t.init == Init::Zeros) {
      for (size_t k = 0; k < t.numel; ++k) p[k] = 0.0f;
    } else {
      // kaiming_uniform_(a = sqrt(5)) as PEFT: bound sqrt(6 / ((1 + 5) fan_in)) = 1 / sqrt(in).
      const float bound = 1.0f / std::sqrt(float(t.shape[1]));
      for (size_t k = 0; k < t.numel; ++k) p[k] = bound * (2.0f * rng.uniform() - 1.0f);
    }
  }
}

void Lora::set_dropout(float p) {
  if (!(p >= 0.0f && p < 1.0f)) bad("dropout must be in [0, 1)");
  cfg_.dropout = p;
}

float* Lora::grads() {
  if (grads_.empty()) {
    grads_.assign(params_.size(), 0.0f);
    build_views();
  }
  return grads_.data();
}

void Lora::zero_grad() {
  if (!grads_.empty()) std::fill(grads_.begin(), grads_.end(), 0.0f);
}

}  // namespace sllm
