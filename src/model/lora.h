// lora.h: LoRA adapters (Hu et al. 2021, with PEFT's conventions) on a model's linear layers.
// On a target layer with weight W (out, in): y = W x + (alpha / rank) B A dropout(x), with
// A (rank, in) starting kaiming-uniform as PEFT's (U(-1/sqrt(in), 1/sqrt(in))) and B (out, rank)
// at zero, so a new adapter changes nothing until trained. The adapter's tensors live in their
// own slab, in the layout of the SLLM spec's adapter files (`blk.N.<target>.weight.lora_a`
// [rank, in], `.lora_b` [out, rank], layer by layer, targets in LoraTarget order), with a
// gradient slab beside it: a model carrying an adapter trains only the adapter (model.h).
// The passes apply it through linear_op.h.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/layout.h"

namespace sllm {

// The linear layers an adapter can target. gpt has all but FfnGate.
enum class LoraTarget : uint8_t { AttnQ, AttnK, AttnV, AttnOutput, FfnGate, FfnUp, FfnDown };
constexpr int kLoraTargets = 7;
const char* lora_target_name(LoraTarget t);  // "attn_q", "attn_k", ... (the spec's tensor names)
constexpr uint32_t lora_bit(LoraTarget t) { return uint32_t(1) << int(t); }
// The MLP's targets (the rest are attention's): the halves of a block keep their own rows.
constexpr bool lora_mlp_target(int t) { return t >= int(LoraTarget::FfnGate); }

struct LoraConfig {
  int rank = 8;
  float alpha = 8.0f;     // the update is scaled by alpha / rank
  float dropout = 0.0f;   // on the adapter's input, in training
  uint32_t targets = 0;   // lora_bit()s

  float scale() const { return alpha / float(rank); }
  // "all", "attention" (q, k, v, output), "mlp" (gate, up, down) or a comma-separated list of
  // target names ("attn_q,attn_v"), against what the architecture has. Throws Error(Config)
  // naming an unknown target or one the architecture lacks, listing the ones it has.
  static uint32_t parse_targets(const std::string& s, const ModelConfig& model);
  static std::string targets_string(uint32_t targets);  // "attn_q,attn_v"
};

// The targets the architecture has, and a target's (in, out) features.
uint32_t lora_targets_of(const ModelConfig& c);
struct LoraShape {
  int in, out;
};
LoraShape lora_shape(const ModelConfig& c, LoraTarget t);
// Adapter parameters for a model: 64-bit, for estimates of configs too big to build.
uint64_t lora_param_count(const ModelConfig& c, const LoraConfig& lc);

class Lora {
 public:
  // The tensors of an adapter of cfg on a model of config `model` (throws as the constructor).
  static std::vector<ParamTensor> layout(const ModelConfig& model, const LoraConfig& cfg);

  // An adapter of cfg on a model of config `model`, all zeros (init() fills A). Throws
  // Error(Config) for a rank below 1 or larger than a target layer's smaller side, no targets,
  // a target the architecture lacks, or alpha / dropout out of range.
  Lora(const ModelConfig& model, const LoraConfig& cfg);

  // A from kaiming-uniform draws of a generator seeded with seed (tensor by tensor in layout
  // order), B zero.
  void init(uint64_t seed);

  const LoraConfig& config() const { return cfg_; }
  // The adapter's input dropout in training (throws Error(Config) unless 0 <= p < 1).
  void set_dropout(float p);
  const std::vector<ParamTensor>& tensors() const { return tensors_; }
  size_t num_params() const { return params_.size(); }
  float* params() { return params_.data(); }
  const float* params() const { return params_.data(); }
  float* grads();  // allocated (zeroed) on first use
  void zero_grad();

  // One target's tensors in the slabs (da, db null until grads() is called).
  struct View {
    const float* a;  // (rank, in)
    const float* b;  // (out, rank)
    float *da, *db;
    int in, out, rank;
    float scale;
    LoraTarget target;
  };
  // The adapter on target t of layer l, or nullptr when t is not a target.
  const View* at(int layer, LoraTarget t) const {
    const int i = index_[size_t(layer) * kLoraTargets + size_t(t)];
    return i < 0 ? nullptr : &views_[size_t(i)];
  }

  // Checksum of the base model's weights it was made for (see docs/sllm-format.md); 0 unset.
  uint32_t base_checksum = 0;
  // Generation and training use the adapter only while enabled (a disabled adapter gives the
  // base model's outputs).
  bool enabled = true;

 private:
  void build_views();
  LoraConfig cfg_;
  int layers_;
  std::vector<ParamTensor> tensors_;
  std::vector<float> params_, grads_;
  std::vector<View> views_;
  std::vector<int> index_;  // (layers, kLoraTargets) -> views_ index or -1
};

}  // namespace sllm
