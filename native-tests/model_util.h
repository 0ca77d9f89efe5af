// model_util.h: tiny models of each architecture for the model, generation and format tests.
#pragma once
#include <memory>
#include <string>

#include "core/rng.h"
#include "model/model.h"

namespace sllm::test {

// vocab 11, context 8, dim 12, 2 layers, 3 heads (llama: kv_heads as given, head size 4).
inline ModelConfig tiny_config(const std::string& arch, bool tied, int kv_heads = 3) {
  ModelConfig c;
  c.arch = arch;
  c.vocab_size = 11;
  c.context_length = 8;
  c.dim = 12;
  c.layers = 2;
  c.heads = 3;
  c.kv_heads = arch == "gpt" ? 3 : kv_heads;
  c.ffn_dim = 20;
  c.tie_embeddings = tied;
  c.init_seed = 5;
  return c;
}

// Non-trivial weights: the standard init leaves biases at 0 and norm weights at 1.
inline void randomize(Model& m, uint64_t seed, float scale) {
  Rng rng(seed);
  for (size_t i = 0; i < m.num_params(); ++i) m.params()[i] += scale * rng.normal();
}

// Every tiny variant the architecture tests run: gpt tied and untied, llama tied and untied
// with grouped-query attention (1 kv head for 3 query heads) and with kv_heads = heads.
inline std::vector<ModelConfig> tiny_variants() {
  return {tiny_config("gpt", true), tiny_config("gpt", false), tiny_config("llama", true, 1),
          tiny_config("llama", false, 1), tiny_config("llama", false, 3)};
}

inline std::string describe(const ModelConfig& c) {
  return c.arch + (c.tie_embeddings ? " tied" : " untied") + ", kv_heads " + std::to_string(c.kv_heads);
}

}  // namespace sllm::test
