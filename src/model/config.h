// config.h: a model's architecture and hyper-parameters (the SLLM header's `model` member),
// its validation, and the named presets (tiny, small, medium) embedded from src/presets/.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/json.h"

namespace sllm {

struct ModelConfig {
  std::string arch = "gpt";
  int vocab_size = 0;      // V
  int context_length = 0;  // maxT: longest sequence the position embedding covers
  int dim = 0;             // C
  int layers = 0;          // L
  int heads = 0;           // NH; head_dim = dim / heads
  int kv_heads = 0;        // must equal heads for "gpt"
  int ffn_dim = 0;         // F
  float norm_eps = 1e-5f;
  bool tie_embeddings = true;
  float dropout = 0.0f;    // applied to attention weights and residual branches in training
  uint64_t init_seed = 1337;

  // Throws Error(Config) naming the first inconsistent field.
  void validate() const;
  int head_dim() const { return dim / heads; }
  // Number of parameters, in 64-bit arithmetic (valid for any config that passes validate()).
  uint64_t param_count() const;

  Json to_json() const;
  // Reads the `model` member (required keys per the SLLM spec; optional dropout/init_seed).
  // Throws Error(code) on missing or mistyped keys.
  static ModelConfig from_json(const Json& j);
};

// Names of the built-in presets, and a preset by name (throws Error(Config) if unknown).
// A preset's vocab_size is the default for trained vocabularies; char models replace it by the
// tokenizer's size.
std::vector<std::string> preset_names();
ModelConfig preset(const std::string& name);
Json preset_json(const std::string& name);

}  // namespace sllm
