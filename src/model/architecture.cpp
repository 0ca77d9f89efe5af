// architecture.cpp: the registry of architectures (see architecture.h) and the memory
// estimates derived from it.
#include "model/architecture.h"

#include <algorithm>

#include "core/error.h"
#include "generate/decoder.h"
#include "model/gpt.h"
#include "model/llama.h"

namespace sllm {

namespace {
const Architecture* const kArchitectures[] = {&gpt_architecture(), &llama_architecture()};
}  // namespace

const Architecture& architecture(const std::string& name) {
  for (const Architecture* a : kArchitectures)
    if (name == a->name) return *a;
  std::string known;
  for (const Architecture* a : kArchitectures) known += std::string(known.empty() ? "\"" : ", \"") + a->name + "\"";
  fail(ErrorCode::Config, "invalid model config: arch \"" + name + "\" is unknown; the architectures are " + known);
}

std::vector<ParamTensor> build_layout(const ModelConfig& c) {
  LayoutBuilder b;
  architecture(c.arch).layout(c, b);
  return b.take();
}

std::vector<std::string> architecture_names() {
  std::vector<std::string> names;
  for (const Architecture* a : kArchitectures) names.emplace_back(a->name);
  return names;
}

MemoryEstimate training_memory(const ModelConfig& c, int batch, int seq_len, bool dropout) {
  MemoryEstimate m;
  const uint64_t p = c.param_count() * 4;
  m.weights = p;
  m.gradients = p;
  m.optimizer = 2 * p;
  m.activations = architecture(c.arch).activation_floats(c, pass_shape(c, batch, seq_len, dropout, StepPlan{})) * 4;
  return m;
}

MemoryEstimate inference_memory(const ModelConfig& c) {
  MemoryEstimate m;
  m.weights = c.param_count() * 4;
  m.kv_cache = 2 * uint64_t(c.layers) * uint64_t(c.context_length) * uint64_t(c.kv_heads) * uint64_t(c.head_dim()) * 4;
  const int chunk = std::min(c.context_length, Decoder::kPrefillChunk);
  m.scratch = architecture(c.arch).decode_floats(c, chunk, c.context_length - chunk, 0) * 4;
  return m;
}

}  // namespace sllm
