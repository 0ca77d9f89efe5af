// hf_arch.h: how sllm's architectures map to Hugging Face's transformers classes, written once
// and read by both the import (hf_import.cpp) and the export (hf_export.cpp):
//  - config.json <-> ModelConfig (GPT2LMHeadModel <-> "gpt", LlamaForCausalLM <-> "llama"),
//    with everything sllm cannot reproduce refused by name (other architectures, rope_scaling,
//    biases in llama, activations other than gelu_new / silu, ...);
//  - every sllm tensor's Hugging Face tensor and the transform between them: a copy; a
//    transpose (GPT-2's Conv1D weights are stored (in, out)); a third of GPT-2's fused c_attn
//    (weight columns, transposed, or bias entries); or llama's q/k row permutation, from Hugging
//    Face's rotate_half layout (the two halves of each head) to the adjacent pairs (2i, 2i+1) of
//    the SLLM spec, exactly as llama.cpp's convert_hf_to_gguf.py LlamaModel.permute does.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/json.h"
#include "model/config.h"
#include "model/layout.h"

namespace sllm {

enum class HfXf : uint8_t {
  Copy,       // same shape, same order
  Transpose,  // hf (in, out) = sllm (out, in) transposed
  QkvWeight,  // hf c_attn (C, 3C): columns [part*C, (part+1)*C) are sllm's (C, C) transposed
  QkvBias,    // hf c_attn bias (3C): entries [part*C, (part+1)*C)
  RopeRows,   // hf rows in rotate_half order per head; sllm rows in adjacent pairs (heads = `heads`)
};

// One sllm tensor and where it lives in a Hugging Face checkpoint.
struct HfLink {
  const ParamTensor* tensor;  // the sllm tensor
  std::string hf_name;        // e.g. "transformer.h.0.attn.c_attn.weight"
  std::vector<int64_t> hf_shape;
  HfXf xf = HfXf::Copy;
  int part = 0;   // QkvWeight/QkvBias: 0 q, 1 k, 2 v
  int heads = 0;  // RopeRows: heads whose rows are permuted (kv_heads for k)
};

// What config.json says, read for import. Throws Error(Format) "config.json: ..." naming the
// field or the unsupported feature.
struct HfModelInfo {
  ModelConfig config;
  std::string architecture;          // "GPT2LMHeadModel" or "LlamaForCausalLM"
  std::string prefix;                // GPT-2: "transformer." or "" (GPT2Model-style checkpoints)
  int64_t bos_token_id = -1, eos_token_id = -1;  // -1 when absent (the first of a list)
  std::string name;                  // _name_or_path, when present
};
HfModelInfo read_hf_config(const std::string& config_json);

// config.json for a model (the exporter's; dtype names torch_dtype: "float32", "float16",
// "bfloat16"). Throws Error(InvalidArgument) for an arch with no Hugging Face form.
Json write_hf_config(const ModelConfig& c, const std::string& torch_dtype, int64_t bos, int64_t eos);

// The links of every tensor of layout (for c's architecture), with GPT-2 names under prefix.
std::vector<HfLink> hf_links(const ModelConfig& c, const std::vector<ParamTensor>& layout, const std::string& prefix);

// Whether a checkpoint tensor with this name is a buffer transformers recomputes (GPT-2's
// attention masks, llama's rotary inv_freq) and importers skip.
bool hf_ignorable(const std::string& name);

// Where sllm row `row` of a link lives in the hf tensor (flat): element c of the row is
// hf[start + c * stride]. A 1-D tensor is rows of one element. The one definition of the
// mapping, which both directions use (hf_copy).
struct HfRowSource {
  uint64_t start, stride;
};
HfRowSource hf_row_source(const HfLink& l, int64_t row);

// Copies a link's values from its hf tensor (flat, hf_shape) into the sllm tensor (row-major),
// and back.
void hf_copy_in(const HfLink& l, const float* hf, float* sllm_values);
void hf_copy_out(const HfLink& l, const float* sllm_values, float* hf);

}  // namespace sllm
