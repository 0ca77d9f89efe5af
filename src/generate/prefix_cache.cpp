// prefix_cache.cpp: see prefix_cache.h.
#include "generate/prefix_cache.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace sllm {

PrefixCache::PrefixCache(const Model& model, DType kv_cache) : model_(model), kv_cache_(kv_cache), decoder_(model, kv_cache) {}

void PrefixCache::clear() {
  ++version_;
  decoder_.reset();
  tokens_.clear();
  logits_.clear();
}

void PrefixCache::keep_logits(const float* logits) {
  logits_.assign(logits, logits + model_.config().vocab_size);
}

int PrefixCache::prefill(const std::vector<int32_t>& ids) {
  const int V = model_.config().vocab_size;
  if (ids.empty()) fail(ErrorCode::InvalidArgument, "the prompt has no tokens");
  if (ids.size() > size_t(capacity()))
    fail(ErrorCode::InvalidArgument, "the prompt has " + std::to_string(ids.size()) +
                                         " tokens but the model's context holds " + std::to_string(capacity()));
  for (int32_t id : ids)
    if (id < 0 || id >= V) fail(ErrorCode::InvalidArgument, "token id " + std::to_string(id) + " is outside the vocabulary");
  if (ids == tokens_) return 0;  // same tokens: the cache and the last logits stand
  ++version_;
  const size_t shared = size_t(std::mismatch(tokens_.begin(), tokens_.end(), ids.begin(), ids.end()).first - tokens_.begin());
  const size_t keep = std::min(shared, ids.size() - 1);  // the last token is computed for its logits
  const int n = int(ids.size() - keep);
  try {
    decoder_.truncate(int(keep));
    tokens_.resize(keep);
    keep_logits(decoder_.prefill(ids.data() + keep, n));
  } catch (...) {
    clear();
    throw;
  }
  tokens_ = ids;
  computed_ += n;
  return n;
}

void PrefixCache::append(int32_t id) {
  if (empty()) fail(ErrorCode::InvalidArgument, "append needs a prefilled session");
  if (int(tokens_.size()) >= capacity()) fail(ErrorCode::InvalidArgument, "the model's context is full");
  ++version_;
  try {
    keep_logits(decoder_.step(id));  // the decoder checks the id before changing anything
  } catch (...) {
    if (decoder_.pos() != int(tokens_.size())) clear();  // (a failure inside the computation)
    throw;
  }
  tokens_.push_back(id);
  ++computed_;
}

}  // namespace sllm
