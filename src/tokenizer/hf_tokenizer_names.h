// hf_tokenizer_names.h: the names the Hugging Face tokenizer import and export share: the
// regex spellings that mean sllm's split rules, the special-token names of sllm's char and word
// tokenizers, and the usual end-of-text names (internal to src/tokenizer/hf_tokenizer_*).
#pragma once
#include <string_view>

#include "tokenizer/pretokenizer.h"
#include "tokenizer/tokenizer.h"

namespace sllm {

// js-tiktoken's spelling of the Llama 3 regex: the contractions in every ASCII case.
inline constexpr const char* kLlama3RegexExpanded =
    "('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
    "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

// The rule a Split regex means (gpt2 or llama3, in Hugging Face's or js-tiktoken's spelling).
inline bool rule_of_regex(std::string_view re, PretokenizerRule& out) {
  if (re == pretokenizer_regex(PretokenizerRule::Gpt2)) return out = PretokenizerRule::Gpt2, true;
  if (re == pretokenizer_regex(PretokenizerRule::Llama3) || re == kLlama3RegexExpanded) return out = PretokenizerRule::Llama3, true;
  return false;
}

inline bool is_sllm_special_name(std::string_view s) {
  return s == kPadToken || s == kUnkToken || s == kBosToken || s == kEosToken;
}

// Special tokens taken as eos when tokenizer_config.json does not say.
inline constexpr const char* kEosNames[] = {"<|endoftext|>", "<|end_of_text|>", "</s>", "[EOS]"};

}  // namespace sllm
