// decoder.h: generation's view of a model: one sequence's KV cache (DecodeState) fed through
// Model::decode. prefill() runs new tokens as batches (chunks of kPrefillChunk, so scratch
// stays small for long prompts) through the training forward's kernels; step() runs one token
// with the matvec and one-row attention kernels. truncate() keeps a prefix of the cache, so a
// follow-up that extends the same tokens computes only the new ones.
#pragma once
#include <cstdint>
#include <vector>

#include "model/decode_state.h"
#include "model/model.h"

namespace sllm {

class Decoder {
 public:
  static constexpr int kPrefillChunk = 128;

  // kv_cache: the cache's dtype, f32 or f16 (half the memory; see decode_state.h).
  explicit Decoder(const Model& model, DType kv_cache = DType::F32) : model_(model), s_(model.config(), kv_cache) {}

  int pos() const { return s_.pos; }                 // positions in the cache
  int capacity() const { return s_.capacity; }       // the model's context length
  void reset() { s_.pos = 0; }
  // Keeps the first n positions (n <= pos()); the next token goes at position n.
  void truncate(int n);

  // Appends n >= 1 tokens and returns the logits (vocab_size) after the last one. Throws
  // Error(InvalidArgument) when they do not fit in the context or an id is out of range.
  const float* prefill(const int32_t* ids, int n);
  const float* prefill(const std::vector<int32_t>& ids) { return prefill(ids.data(), int(ids.size())); }
  const float* step(int32_t id) { return prefill(&id, 1); }
  const float* logits() const { return s_.logits.data(); }

  const Model& model() const { return model_; }
  uint64_t cache_bytes() const { return s_.cache_bytes(); }
  uint64_t scratch_bytes() const {
    return uint64_t(s_.scratch.capacity()) * sizeof(float) + s_.linear.bytes() + s_.rows_bytes();
  }

 private:
  const Model& model_;
  DecodeState s_;
};

}  // namespace sllm
