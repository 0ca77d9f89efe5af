// pretokenizer.h: splitting text into the pieces a BPE or word tokenizer encodes one by one.
// The one rule so far is GPT-2's regular expression
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// implemented as a hand-written matcher with the same leftmost-alternative semantics as the
// JavaScript regex gpt-tokenizer uses (classes from unicode_tables.h), ASCII on a fast path.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sllm {

enum class PretokenizerRule { Gpt2 };

// "gpt2" <-> PretokenizerRule::Gpt2. parse returns false for an unknown name.
const char* pretokenizer_name(PretokenizerRule rule);
bool parse_pretokenizer_name(std::string_view name, PretokenizerRule& out);

// End (exclusive) of the GPT-2 piece that starts at pos < text.size(). text must be valid
// UTF-8 (callers sanitize first); the result is always > pos.
size_t gpt2_piece_end(std::string_view text, size_t pos);

// Calls f(std::string_view piece) for every piece of valid UTF-8 text, in order.
template <typename F>
void for_each_piece(std::string_view text, PretokenizerRule /*rule*/, F&& f) {
  for (size_t pos = 0, n = text.size(); pos < n;) {
    size_t end = gpt2_piece_end(text, pos);
    f(text.substr(pos, end - pos));
    pos = end;
  }
}

// The pieces of text as a list (invalid UTF-8 is replaced by U+FFFD first). For tests and tools.
std::vector<std::string> pretokenize(std::string_view text, PretokenizerRule rule = PretokenizerRule::Gpt2);

}  // namespace sllm
