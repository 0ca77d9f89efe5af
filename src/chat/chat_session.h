// chat_session.h: one conversation's tokens kept in a KV cache, so that a follow-up turn whose
// prompt extends what the cache already holds computes only the new tokens (conversation
// caching). The chat API of the package renders each turn's whole conversation with the chat
// template and hands its ids to prefill(), which reuses the longest common prefix with the
// cached tokens; sampling and decoding of the reply stay with the caller, one token at a time.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "generate/decoder.h"
#include "model/model.h"

namespace sllm {

class ChatSession {
 public:
  // The model must outlive the session.
  explicit ChatSession(const Model& model);

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

  // Forgets the cached tokens (the next prefill computes everything).
  void clear();

 private:
  void keep_logits(const float* logits);
  const Model& model_;
  Decoder decoder_;
  std::vector<int32_t> tokens_;
  std::vector<float> logits_;  // a copy, so they stay valid whatever the cache does
  int64_t computed_ = 0;
};

}  // namespace sllm
