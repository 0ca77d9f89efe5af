// architecture.cpp: the registry of architectures (see architecture.h) and the memory
// estimates derived from it.
#include "model/architecture.h"

#include <algorithm>

#include "core/error.h"
#include "kernels/tiled_linear.h"
#include "format/weight_dtype.h"
#include "generate/decoder.h"
#include "model/lora.h"
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

MemoryEstimate training_memory(const ModelConfig& c, const TrainingSetup& s) {
  MemoryEstimate m;
  const bool lora = s.lora_rank > 0;
  LoraConfig lc;
  lc.rank = s.lora_rank;
  lc.targets = s.lora_targets;
  const uint64_t trainable = lora ? lora_param_count(c, lc) : c.param_count();
  m.weights = lora ? held_weight_bytes(c, s.base_dtype) : c.param_count() * 4;
  if (lora) m.weights += trainable * 4;  // the adapter itself
  m.gradients = trainable * 4;
  m.optimizer = 2 * trainable * 4;
  const PassShape shape =
      pass_shape(c, s.batch, s.seq_len, s.dropout, s.plan, s.lora_rank, s.lora_targets, s.lora_dropout, lora);
  m.activations = architecture(c.arch).activation_floats(c, shape) * 4;
  // Per thread: the GEMM's packed panels (gemm_driver.h: 96 x 256 of A, 512 x 256 of B) and the
  // attention's scores (whole: 2 T x T; blocked: 3 x 64 rows x T); the batch's ids and targets
  // (the trainer's and the model's copies).
  const uint64_t T = uint64_t(s.seq_len);
  const uint64_t att = s.plan.chunked ? 3 * uint64_t(shape.Q) * T : 2 * T * T;
  m.scratch = uint64_t(std::max(1, s.threads)) * (96 * 256 + 512 * 256 + att) * 4 +
              4 * uint64_t(s.batch) * T * 4;
  // A packed base: the tile of its dequantized rows (tiled_linear.h).
  if (lora && s.base_dtype != DType::F32)
    m.scratch += tiled_linear_floats(std::max(uint64_t(c.dim), uint64_t(c.ffn_dim))) * 4;
  return m;
}

uint64_t held_weight_bytes(const ModelConfig& c, DType dtype) {
  uint64_t bytes = 0;
  for (const ParamTensor& t : build_layout(c))
    bytes += t.shape.size() == 2 ? dtype_nbytes(weight_dtype(t, dtype), t.numel) : t.numel * 4;
  return bytes;
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
