// sllm_file.h: reading and writing SLLM v1 model files (../shared/SLLM-FORMAT.md): a model's
// weights, architecture and tokenizer, optionally quantized, or a full training checkpoint
// (plus optimizer moments and the state that makes a resumed run continue exactly).
// The reader validates every field of untrusted input and throws Error(Format) naming the
// failed check; it never reads or allocates past what the file holds.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/json.h"
#include "format/dtype.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"
#include "train/trainer.h"

namespace sllm {


struct SaveOptions {
  // Dtype of the 2-D weight matrices other than the embeddings. Embeddings, norms and biases
  // stay f32 (see docs/sllm-format.md for why). q8_0/q4_0 need rows that are multiples of 32;
  // tensors whose rows are not fall back to f16.
  DType weights = DType::F32;
  Json metadata = Json::object();  // string values only (name, description, ...)
};

// What a checkpoint carries beyond the model: enough to continue training exactly.
struct CheckpointState {
  TrainConfig config;
  int64_t step = 0;
  int64_t tokens_seen = 0;
  uint64_t rng_state = 0, rng_inc = 0;
  int64_t adam_t = 0;
  std::vector<float> m, v;  // (num_params) AdamW moments, in the model's slab layout
  float best_val = 0;
  int evals_without_improvement = 0;
};

// The "training" member of a checkpoint's header, without the moments. Throws Error(Format).
CheckpointState checkpoint_from_json(const Json& training);

// The model file (weights as opts.weights).
std::vector<uint8_t> save_model(const Model& model, const Tokenizer& tok, const SaveOptions& opts = {});
// A checkpoint: f32 weights, optimizer state and training state of trainer (which trains model).
std::vector<uint8_t> save_checkpoint(Trainer& trainer, const Tokenizer& tok, const SaveOptions& opts = {});

struct LoadedFile {
  std::unique_ptr<Model> model;            // weights in f32, or packed (LoadOptions)
  std::unique_ptr<Tokenizer> tokenizer;
  Json metadata = Json::object();
  std::unique_ptr<CheckpointState> checkpoint;  // null for a plain model file
};

// Parses and validates a file's bytes. Throws Error(Format) with the spec's messages. Memory:
// besides what it returns, it allocates at most about the file's size (the header's members
// it needs, one tensor entry at a time); unknown header members are never stored.
LoadedFile load_file(const uint8_t* data, size_t size);

struct LoadOptions {
  // Keep the weight matrices and embeddings in the file's dtype, in the file's own bytes, for
  // generation (Model::packed(): no f32 copy; a q4_0 model takes about its file's size). A
  // trainer converts them to f32 when it starts. Checkpoints always load in f32.
  bool packed = false;
};
// The same on bytes the model may keep: a packed model holds them (shares them) instead of a copy.
LoadedFile load_file(std::shared_ptr<const std::vector<uint8_t>> bytes, const LoadOptions& opts);

// The JSON header of a file load_file accepted, for inspection (empty when it is too short).
std::string_view header_text(const uint8_t* data, size_t size);

// Continues training from a checkpoint's state on data (which should be the same corpus): builds
// a Trainer on model (the checkpoint's weights, which must outlive it) with the saved
// configuration and restores its counters, generator and AdamW moments (moved out of state).
std::unique_ptr<Trainer> resume_trainer(Model& model, CheckpointState& state, const TokenDataset& data);
// The same for a loaded file; throws Error(InvalidArgument) when it is not a checkpoint.
std::unique_ptr<Trainer> resume_trainer(LoadedFile& file, const TokenDataset& data);

}  // namespace sllm
