// hf_model.h: Hugging Face model folders in and out: transformers' GPT2LMHeadModel and
// LlamaForCausalLM as safetensors (F32, F16, BF16; one file or shards with
// model.safetensors.index.json), config.json, tokenizer.json, tokenizer_config.json (its chat
// template kept), generation_config.json. The mapping of names, shapes and transforms is
// hf_arch.h's; tokenizers are hf_tokenizer.h's.
//
// Import streams: config.json and the safetensors headers are read first and checked against
// each other, the model is allocated once (zero weights), then each checkpoint tensor is read
// and converted straight into it (F32 tensors that need no transform are read in place; others
// go through one scratch tensor). Nothing model-sized is held twice, so a 124M-parameter GPT-2
// needs about its f32 size plus its largest tensor.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "format/byte_source.h"
#include "format/safetensors.h"
#include "format/sllm_file.h"

namespace sllm {

struct HfImportOptions {
  // When > 0, the context length is capped to this (llama: only the setting; gpt: the first
  // rows of the position embedding), e.g. to bound generation memory of a 128k-context model.
  int max_context = 0;
};

// The folder's files by name (any order). Throws Error(Format) naming the missing file, the
// unsupported feature or the inconsistency (config.json vs tensors vs tokenizer).
LoadedFile import_hf(const FileSet& files, const HfImportOptions& opts = {});

struct HfExportOptions {
  StType dtype = StType::F32;      // F32, F16 or BF16
  Json metadata = Json::object();  // strings, written into the safetensors metadata
};

// model.safetensors, config.json, generation_config.json, tokenizer.json and
// tokenizer_config.json, as transformers' from_pretrained loads them (llama q/k rows permuted
// back to rotate_half order). Throws Error(InvalidArgument) for a tokenizer with no
// tokenizer.json form.
std::vector<std::pair<std::string, std::vector<uint8_t>>> export_hf(const Model& model, const Tokenizer& tok,
                                                                    const HfExportOptions& opts = {});

}  // namespace sllm
