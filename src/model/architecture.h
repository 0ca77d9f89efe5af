// architecture.h: the registry of architectures ("gpt", "llama"). Each entry says, from a config
// alone and without allocating the model, what the rest of the core asks: its own validity
// rules, its parameter layout, the activation floats a training step keeps and the scratch a
// decode pass needs (so memory estimates and the bindings' up-front checks come from the
// model, never from a restated formula), and how to build the model.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "format/dtype.h"
#include "model/config.h"
#include "model/layout.h"
#include "model/step_plan.h"

namespace sllm {

class Model;
struct ModelPacking;

struct Architecture {
  const char* name;
  const char* summary;  // one line, for help texts and errors
  // Arch-specific checks after ModelConfig's common ones; throws Error(Config) naming the field.
  void (*validate)(const ModelConfig&);
  // Its parameter tensors in slab order (layout.h); build_layout / ModelConfig::param_count use it.
  void (*layout)(const ModelConfig&, LayoutSink&);
  // Floats of the activation slab of a training step of this shape (step_plan.h).
  uint64_t (*activation_floats)(const ModelConfig&, const PassShape&);
  // Floats of the scratch a decode pass of n tokens needs after `past` cached positions (with an
  // adapter of that rank attached; 0: none).
  uint64_t (*decode_floats)(const ModelConfig&, int n, int past, int lora_rank);
  // packing: null for f32 weights in the slab, else a packed model's tensors (Model::create_packed).
  std::unique_ptr<Model> (*make)(const ModelConfig&, std::vector<ParamTensor> layout, const ModelPacking* packing);
  // The MLP width a model of this dim gets when none is given.
  int (*default_ffn)(int dim);
};

// The config's parameter tensors (the SLLM spec's names and shapes), in slab order.
std::vector<ParamTensor> build_layout(const ModelConfig& c);

// The architecture named name; throws Error(Config) listing the known ones.
const Architecture& architecture(const std::string& name);
// Their names, in registry order.
std::vector<std::string> architecture_names();

// Memory of a model, from the registry: bytes of parameters, of gradients plus AdamW's two
// moments, and of a training step's activations; and the KV cache and scratch of decoding.
struct MemoryEstimate {
  uint64_t weights = 0, gradients = 0, optimizer = 0, activations = 0, kv_cache = 0, scratch = 0;
  uint64_t total() const { return weights + gradients + optimizer + activations + kv_cache + scratch; }
};
// Training on (batch, seq_len) batches: weights, gradients, optimizer state and activations.
MemoryEstimate training_memory(const ModelConfig& c, int batch, int seq_len, bool dropout);
// A training setup for the estimate below: the batch, the step plan (step_plan.h), an adapter
// (lora_rank 0: every weight trains) on a base held in base_dtype (the file's dtypes by the
// writer's rule, format/weight_dtype.h; full training holds f32), and the thread count.
struct TrainingSetup {
  int batch = 1, seq_len = 1;
  bool dropout = false;
  StepPlan plan;
  int lora_rank = 0;
  uint32_t lora_targets = 0;
  bool lora_dropout = false;
  DType base_dtype = DType::F32;
  int threads = 1;
};
// Its weights (as held), gradients and AdamW moments (of what trains), activations (the step
// plan's slab) and scratch (per thread: GEMM panels and attention scores; the batch's ids).
MemoryEstimate training_memory(const ModelConfig& c, const TrainingSetup& s);
// Bytes of a model's weights held in `dtype` as the files store it: matrices and embeddings by
// format/weight_dtype.h's rule, norms and biases f32.
uint64_t held_weight_bytes(const ModelConfig& c, DType dtype);
// Generation: weights, the KV cache of the whole context and the decode scratch of a prefill chunk.
MemoryEstimate inference_memory(const ModelConfig& c);
// The same for a model as it is held: its weights' bytes (f32, or packed in a file's dtypes,
// weights.cpp), a KV cache of kv_cache's dtype (f32 or f16, with one layer of f32 rows in the
// scratch) and the quantized activations of a packed model's prefill chunk in the scratch.
MemoryEstimate inference_memory(const Model& m, DType kv_cache = DType::F32);

}  // namespace sllm
