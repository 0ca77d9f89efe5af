// config.h: a model's architecture and hyper-parameters (the SLLM header's `model` member),
// its validation, and the named presets (tiny, small, medium) embedded from src/presets/.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/options.h"

namespace sllm {

struct ModelConfig {
  std::string arch = "gpt";  // "gpt" or "llama" (model/architecture.h)
  int vocab_size = 0;      // V
  int context_length = 0;  // maxT: longest sequence the position embedding covers
  int dim = 0;             // C
  int layers = 0;          // L
  int heads = 0;           // NH; head_dim = dim / heads
  int kv_heads = 0;        // key/value heads: must divide heads (llama), equal it (gpt)
  int ffn_dim = 0;         // F
  float norm_eps = 1e-5f;
  float rope_theta = 10000.0f;  // llama: base of the rotary embedding's angles
  bool tie_embeddings = true;
  float dropout = 0.0f;    // applied to attention weights and residual branches in training
  uint64_t init_seed = 1337;

  // Throws Error(Config) naming the first inconsistent field (the architecture's own rules too).
  void validate() const;
  int head_dim() const { return dim / heads; }
  // Number of parameters, from the architecture's layout, in 64-bit arithmetic (for any config
  // whose arch is known and whose fields are in range).
  uint64_t param_count() const;

  // Every field's key, package name, CLI flag, kind, range and documentation (config.cpp).
  static const OptionSchema<ModelConfig>& options();
  Json to_json() const;
  // Reads a file's `model` member: the SLLM spec's required keys must be there, unknown ones are
  // ignored. Throws Error(Config) naming a missing, mistyped or inconsistent field.
  static ModelConfig from_json(const Json& j);
  // This config with the given options (the package's and CLI's overrides) replaced: unknown
  // keys are an error, and defaults derived from what changed follow it (ffn_dim from dim and
  // arch, kv_heads from heads). Throws Error(Config).
  ModelConfig with_overrides(const Json& over) const;
};

// Names of the built-in presets, and a preset by name (throws Error(Config) if unknown).
// A preset's vocab_size is the default for trained vocabularies; char models replace it by the
// tokenizer's size.
std::vector<std::string> preset_names();
ModelConfig preset(const std::string& name);
Json preset_json(const std::string& name);

}  // namespace sllm
