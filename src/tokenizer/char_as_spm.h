// char_as_spm.h: a character vocabulary written as an spm vocabulary that encodes every text
// made of its characters to the same ids: one piece per character (a space as "▁"), all
// scores 0 (no two-character piece exists, so nothing merges), no space prefix, no byte
// fallback (a character outside the vocabulary is [UNK]), [PAD]/[BOS]/[EOS] as control tokens
// and [UNK] as the unknown token. This is how a char model leaves as GGUF for llama.cpp.
#pragma once
#include <memory>

#include "tokenizer/char_tokenizer.h"
#include "tokenizer/spm_tokenizer.h"

namespace sllm {

// Throws Error(InvalidArgument) when the vocabulary holds U+2581 itself, which spm reserves
// for the space.
SpmVocab char_as_spm_vocab(const Tokenizer& char_tokenizer);

}  // namespace sllm
