// tokenizer_util.h: small checks shared by the word and BPE tokenizers: token id range,
// reading the "pretokenizer" member of their JSON and checking a "special" table.
#pragma once
#include <string>

#include "core/error.h"
#include "core/json.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/tokenizer.h"

namespace sllm {

// Throws Error(InvalidArgument) unless 0 <= id < vocab_size.
inline void check_token_id(int32_t id, int32_t vocab_size) {
  if (id < 0 || id >= vocab_size)
    fail(ErrorCode::InvalidArgument, "token id " + std::to_string(id) + " is outside the vocabulary of " +
                                         std::to_string(vocab_size));
}

// The rule named by j["pretokenizer"]; throws Error(Format) naming `type` when it is not known.
inline PretokenizerRule read_pretokenizer(const Json& j, const char* type) {
  const Json* rule = j.find("pretokenizer");
  PretokenizerRule out;
  if (!rule || !rule->is_string() || !parse_pretokenizer_name(rule->as_string(), out))
    fail(ErrorCode::Format, std::string(type) + " tokenizer \"pretokenizer\" must be one of " + pretokenizer_names());
  return out;
}

// When j has a "special" member, it must name exactly the ids in `found` (the special entries
// the vocabulary itself shows); throws Error(Format) otherwise. (The char tokenizer does the
// same inline.)
inline void check_special_table(const Json& j, const SpecialTokens& found, int32_t vocab_size, const char* type) {
  const Json* sp = j.find("special");
  if (!sp) return;
  SpecialTokens s = SpecialTokens::from_json(*sp, vocab_size);
  if (s.pad != found.pad || s.unk != found.unk || s.bos != found.bos || s.eos != found.eos)
    fail(ErrorCode::Format, std::string(type) + " tokenizer \"special\" does not match its [PAD]/[UNK]/[BOS]/[EOS] entries");
}

}  // namespace sllm
