// pretokenizer.h: splitting text into the pieces a BPE or word tokenizer encodes one by one.
// Two rules, each a hand-written matcher with the same leftmost-alternative semantics as the
// JavaScript regex (with the u flag; classes from unicode_tables.h), ASCII on a fast path:
//  - "gpt2", GPT-2's regex (as gpt-tokenizer and Hugging Face's ByteLevel pre-tokenizer):
//      's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//  - "llama3", cl100k_base's regex, which Llama 3 uses (as js-tiktoken spells it: the
//    contractions in every ASCII case, which is what (?i:...) means for them in ASCII):
//      (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//       ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//  - "smollm", SmolLM's (and StarCoder's): every \p{N} character is a piece of its own (Hugging
//    Face's Digits pre-tokenizer with individual_digits), the text between is split by gpt2.
// \s, \p{L} and \p{N} are JavaScript's sets (e.g. \s holds U+FEFF but not U+0085).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sllm {

enum class PretokenizerRule { Gpt2, Llama3, Smollm };

// "gpt2" <-> Gpt2, "llama3" <-> Llama3, "smollm" <-> Smollm. parse returns false for an unknown name.
const char* pretokenizer_name(PretokenizerRule rule);
bool parse_pretokenizer_name(std::string_view name, PretokenizerRule& out);
// The known names for an error message: "\"gpt2\", \"llama3\"".
std::string pretokenizer_names();

// The regex a rule implements, as Hugging Face's tokenizer.json writes it (Llama 3's with
// (?i:...)). gpt2's is the one HF's ByteLevel pre-tokenizer uses when use_regex is true (and
// smollm's after its digits are split off).
const char* pretokenizer_regex(PretokenizerRule rule);

// End (exclusive) of the piece that starts at pos < text.size(). text must be valid UTF-8
// (callers sanitize first); the result is always > pos.
size_t gpt2_piece_end(std::string_view text, size_t pos);
size_t llama3_piece_end(std::string_view text, size_t pos);
// For smollm: the end of the \p{N} character at pos when there is one (number = true), else
// the start of the next one (or the end of the text).
size_t digit_split_end(std::string_view text, size_t pos, bool& number);
inline size_t smollm_piece_end(std::string_view text, size_t pos) {
  bool number;
  size_t end = digit_split_end(text, pos, number);
  return number ? end : gpt2_piece_end(text.substr(0, end), pos);
}
inline size_t piece_end(PretokenizerRule rule, std::string_view text, size_t pos) {
  switch (rule) {
    case PretokenizerRule::Llama3: return llama3_piece_end(text, pos);
    case PretokenizerRule::Smollm: return smollm_piece_end(text, pos);
    default: return gpt2_piece_end(text, pos);
  }
}

// Calls f(std::string_view piece) for every piece of valid UTF-8 text, in order.
template <typename F>
void for_each_piece(std::string_view text, PretokenizerRule rule, F&& f) {
  auto run = [&](std::string_view t, size_t from, size_t to, size_t (*end_of)(std::string_view, size_t)) {
    for (size_t pos = from; pos < to;) {
      size_t end = end_of(t, pos);
      f(t.substr(pos, end - pos));
      pos = end;
    }
  };
  if (rule != PretokenizerRule::Smollm) {
    run(text, 0, text.size(), rule == PretokenizerRule::Llama3 ? llama3_piece_end : gpt2_piece_end);
    return;
  }
  for (size_t pos = 0, n = text.size(); pos < n;) {  // digits alone, gpt2 on the text between
    bool number;
    size_t end = digit_split_end(text, pos, number);
    if (number)
      f(text.substr(pos, end - pos));
    else
      run(text.substr(0, end), pos, end, gpt2_piece_end);
    pos = end;
  }
}

// The pieces of text as a list (invalid UTF-8 is replaced by U+FFFD first). For tests and tools.
std::vector<std::string> pretokenize(std::string_view text, PretokenizerRule rule = PretokenizerRule::Gpt2);

}  // namespace sllm
