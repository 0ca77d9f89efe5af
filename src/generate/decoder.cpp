// decoder.cpp: see decoder.h.
#include "generate/decoder.h"

#include <algorithm>

#include "core/error.h"

namespace sllm {

void Decoder::truncate(int n) {
  if (n < 0 || n > s_.pos)
    fail(ErrorCode::InvalidArgument, "cannot keep " + std::to_string(n) + " positions of a cache that holds " +
                                         std::to_string(s_.pos));
  s_.pos = n;
}

const float* Decoder::prefill(const int32_t* ids, int n) {
  if (n < 1) fail(ErrorCode::InvalidArgument, "decoding needs at least one token");
  if (n > s_.capacity - s_.pos)
    fail(ErrorCode::InvalidArgument, "the KV cache is full: " + std::to_string(s_.pos) + " positions held, " +
                                         std::to_string(n) + " more do not fit in the context length " +
                                         std::to_string(s_.capacity));
  // Every id is checked before any chunk runs, so a bad one leaves the cache as it was.
  const int V = model_.config().vocab_size;
  for (int i = 0; i < n; ++i)
    if (ids[i] < 0 || ids[i] >= V)
      fail(ErrorCode::InvalidArgument, "token id " + std::to_string(ids[i]) + " is outside the vocabulary of " +
                                           std::to_string(V));
  for (int i = 0; i < n; i += kPrefillChunk) model_.decode(s_, ids + i, std::min(kPrefillChunk, n - i));
  return s_.logits.data();
}

}  // namespace sllm
