// chat_session.cpp: see chat_session.h.
//
// Until the core's Decoder (with truncate) replaces KVCache, a prompt that diverges from the
// cached tokens before their end is recomputed from the start; a prompt that extends them (a
// follow-up chat turn) computes only its new tokens either way.
#include "chat/chat_session.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace sllm {

ChatSession::ChatSession(const GPT& model)
    : model_(model), capacity_(model.config().context_length), cache_(model) {}

void ChatSession::clear() {
  cache_.reset();
  tokens_.clear();
  logits_.clear();
}

void ChatSession::feed(int32_t id) {
  const float* l = cache_.feed(id);
  ++computed_;
  tokens_.push_back(id);
  logits_.assign(l, l + model_.config().vocab_size);
}

int ChatSession::prefill(const std::vector<int32_t>& ids) {
  const int V = model_.config().vocab_size;
  if (ids.empty()) fail(ErrorCode::InvalidArgument, "the prompt has no tokens");
  if (ids.size() > size_t(capacity_))
    fail(ErrorCode::InvalidArgument, "the prompt has " + std::to_string(ids.size()) +
                                         " tokens but the model's context holds " + std::to_string(capacity_));
  for (int32_t id : ids)
    if (id < 0 || id >= V) fail(ErrorCode::InvalidArgument, "token id " + std::to_string(id) + " is outside the vocabulary");
  if (ids == tokens_) return 0;  // same tokens: the cache and the last logits stand
  const size_t shared = size_t(std::mismatch(tokens_.begin(), tokens_.end(), ids.begin(), ids.end()).first - tokens_.begin());
  size_t keep = std::min(shared, ids.size() - 1);  // the last token is computed for its logits
  if (keep < tokens_.size()) keep = 0;             // KVCache cannot cut back to a prefix
  if (keep == 0) clear();
  const int64_t before = computed_;
  try {
    for (size_t i = keep; i < ids.size(); ++i) feed(ids[i]);
  } catch (...) {
    clear();
    throw;
  }
  return int(computed_ - before);
}

void ChatSession::append(int32_t id) {
  if (empty()) fail(ErrorCode::InvalidArgument, "append needs a prefilled session");
  if (int(tokens_.size()) >= capacity_) fail(ErrorCode::InvalidArgument, "the model's context is full");
  feed(id);  // KVCache::feed checks the id before changing anything
}

}  // namespace sllm
