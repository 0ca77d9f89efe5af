// prefix_cache.h: a KV cache that remembers which tokens it holds, so that a prompt extending
// (or sharing a beginning with) what it already holds computes only the tokens after the longest
// common prefix. The chat API keeps one per model for its conversation (a follow-up turn does not
// recompute the conversation: bindings/src/chat_bindings.cpp renders each turn's whole
// conversation and hands its ids to prefill(), then samples and appends the reply one token at a
// time), and text generation keeps another (TokenGenerator with a shared cache: a generate call
// whose prompt extends the previous call's text computes only the new tokens).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "generate/decoder.h"
#include "model/model.h"

namespace sllm {

class PrefixCache {
 public:
  // The model must outlive the cache. kv_cache: the dtype of the keys and values (F32 or F16).
  explicit PrefixCache(const Model& model, DType kv_cache = DType::F32);
  DType kv_cache() const { return kv_cache_; }

  // Makes the cache hold exactly ids (1 to capacity() tokens, each in the vocabulary) and
  // returns how many positions were computed: the tokens after the longest prefix shared with
  // tokens() (0 when ids equal tokens(): the last logits are kept; at least the last token
  // otherwise, for its logits). Throws Error(InvalidArgument) for an empty, too long or
  // out-of-vocabulary prompt, leaving the session as it was; a failure while computing
  // empties it.
  int prefill(const std::vector<int32_t>& ids);

  // Computes one more position (a sampled token), for the next token's logits. Throws
  // Error(InvalidArgument) when the cache is full or the id is outside the vocabulary.
  void append(int32_t id);

  // The logits (vocab_size) after the last position; only valid while !empty().
  const float* logits() const { return logits_.data(); }

  // The tokens whose positions the cache holds, in order.
  const std::vector<int32_t>& tokens() const { return tokens_; }
  bool empty() const { return tokens_.empty(); }
  int capacity() const { return decoder_.capacity(); }

  // Positions computed since construction (prefill and append), for tests and statistics.
  int64_t positions_computed() const { return computed_; }
  // Changes with every prefill, append and clear: a user that sees the version it left knows the
  // cache still holds its tokens (another user may have changed it in between).
  uint64_t version() const { return version_; }

  // Forgets the cached tokens (the next prefill computes everything).
  void clear();

 private:
  void keep_logits(const float* logits);
  const Model& model_;
  DType kv_cache_;
  Decoder decoder_;
  std::vector<int32_t> tokens_;
  std::vector<float> logits_;  // a copy, so they stay valid whatever the cache does
  int64_t computed_ = 0;
  uint64_t version_ = 0;
};

}  // namespace sllm
