// adapter_file.h: LoRA adapter files (the SLLM spec's adapter layout): a model header whose
// `model` also holds `adapter` {type "lora", rank, alpha, targets (base tensor names), base (the
// base weights' checksum), dropout}, the tokenizer, and only the tensors
// `<target>.lora_a` [rank, in] and `<target>.lora_b` [out, rank] (f32); an adapter checkpoint
// adds the adapter's optimizer state and the training state. Loading an adapter onto a model
// checks that the model is the base it was made for (the same config and checksum).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "format/sllm_file.h"
#include "model/lora.h"

namespace sllm {

// The checksum that names a base model: CRC-32 (the SLLM file's) over every tensor's values in
// the layout's order, each as little-endian f32 (a quantized tensor's dequantized values), so
// the same weights give the same checksum however they are stored or loaded.
uint32_t base_checksum(const Model& base);
std::string checksum_string(uint32_t crc);  // "crc32:1a2b3c4d"

// The `adapter` member of an adapter file's `model`, read against the model's config (throws
// Error(Format) naming what is wrong), and written.
struct AdapterHeader {
  LoraConfig lora;
  uint32_t base = 0;
};
AdapterHeader adapter_from_json(const Json& j, const ModelConfig& model);
Json adapter_json(const Lora& lora, const ModelConfig& model);

// The adapter that model carries, as an adapter file (its tensors f32). Throws
// Error(InvalidArgument) when the model carries none.
std::vector<uint8_t> save_adapter(const Model& model, const Tokenizer& tok, const SaveOptions& opts = {});

struct LoadedAdapter {
  ModelConfig config;           // of the base it was made for
  std::unique_ptr<Lora> lora;   // base_checksum set
  std::unique_ptr<Tokenizer> tokenizer;
  Json metadata = Json::object();
  std::unique_ptr<CheckpointState> checkpoint;  // an adapter checkpoint's training state
};
// Parses and validates an adapter file (every check of load_file, against the adapter's
// tensors); a model file gets Error(Format) saying it is not an adapter.
LoadedAdapter load_adapter(const uint8_t* data, size_t size);

// Attaches lora (made for a model of config `made_for`) to model, replacing any adapter it
// carries. Throws Error(Config) when model is not the base it was made for: another
// architecture or shape, or other weights (checksum); a message says which.
void attach_adapter(Model& model, std::unique_ptr<Lora> lora, const ModelConfig& made_for);

// What model computes as one model without an adapter: model itself when it carries no enabled
// adapter (out is left empty), else a copy of its weights with the adapter merged (held in out).
// Writers and exporters save this: a model with an adapter saves as base + adapter.
const Model& merged_view(const Model& model, std::unique_ptr<Model>& out);

// Continues a LoRA run from an adapter checkpoint on its base (which must outlive the trainer):
// attaches a's adapter (as attach_adapter), sets the model's dropout to the run's and resumes
// the trainer (resume_trainer). Throws Error(InvalidArgument) when a is not a checkpoint.
std::unique_ptr<Trainer> resume_adapter_trainer(Model& base, LoadedAdapter& a, const TokenDataset& data);

}  // namespace sllm
