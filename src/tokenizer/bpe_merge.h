// bpe_merge.h: the rank-merge loop of byte-level BPE (tiktoken's definition): starting from
// the piece's single-byte tokens, repeatedly merge the adjacent pair with the lowest rank in
// `pairs` (leftmost on ties) until no adjacent pair is in the table. Two implementations with
// identical results: an O(n^2) scan for short pieces and an O(n log n) heap for long ones.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/flat_table.h"

namespace sllm {

constexpr size_t kBpeShortPiece = 64;  // pieces up to this many bytes use the scan

// byte_id: the token id of each of the 256 bytes. Appends the piece's tokens to out.
void bpe_merge_short(const int32_t* byte_id, const PairTable& pairs, std::string_view piece, std::vector<int32_t>& out);
void bpe_merge_long(const int32_t* byte_id, const PairTable& pairs, std::string_view piece, std::vector<int32_t>& out);

inline void bpe_merge(const int32_t* byte_id, const PairTable& pairs, std::string_view piece, std::vector<int32_t>& out) {
  if (piece.size() <= kBpeShortPiece)
    bpe_merge_short(byte_id, pairs, piece, out);
  else
    bpe_merge_long(byte_id, pairs, piece, out);
}

}  // namespace sllm
