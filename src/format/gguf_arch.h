// gguf_arch.h: how an sllm architecture maps onto llama.cpp's: the GGUF architecture name, the
// hyper-parameter keys llama.cpp reads for it, and the GGUF tensors (each one or more sllm
// tensors stacked along the outermost dimension: gpt's attn_q/attn_k/attn_v become llama.cpp's
// fused attn_qkv). One table serves export and import.
#pragma once
#include <string>
#include <vector>

#include "format/gguf_reader.h"
#include "format/gguf_writer.h"
#include "model/model.h"

namespace sllm {

// GGUF's architecture name for an sllm arch ("gpt" -> "gpt2", "llama" -> "llama").
std::string gguf_arch_name(const std::string& arch);

struct GgufTensorPlan {
  std::string name;                      // the GGUF tensor
  std::vector<int64_t> shape;            // outermost first
  std::vector<const ParamTensor*> parts;  // sllm tensors, stacked in this order
};
std::vector<GgufTensorPlan> gguf_tensor_plan(const std::vector<ParamTensor>& tensors, const ModelConfig& cfg);

// Writes general.architecture and every {arch}.* hyper-parameter key llama.cpp reads.
void write_gguf_hparams(GgufWriter& w, const ModelConfig& cfg);
// The model config a GGUF file's keys and tensors describe (vocab_size from its vocabulary).
// Throws Error(Format) naming the key, the architecture or the tensor that sllm cannot read.
ModelConfig read_gguf_hparams(const GgufFile& f, int vocab_size);

}  // namespace sllm
