// pretokenizer_llama3.cpp: the Llama 3 (cl100k_base) piece matcher declared in pretokenizer.h.
//
// The regex alternatives are tried in order at each position, as a backtracking engine would:
//   1. 's 't 're 've 'm 'll 'd in any ASCII case ('S, 'rE, ...)
//   2. [^\r\n\p{L}\p{N}]?\p{L}+: a run of letters, optionally after one character that is
//      neither \r, \n, a letter nor a number (a space, a tab, punctuation, an emoji, ...)
//   3. \p{N}{1,3}: one to three numbers
//   4.  ?[^\s\p{L}\p{N}]+[\r\n]*: an optional U+0020, a run of "other" characters, then any
//      \r and \n that follow
//   5. \s*[\r\n]+: a whitespace run up to and including its last \r or \n (the greedy \s*
//      backs off to the last one)
//   6. \s+(?!\S): a whitespace run, minus its last character when a non-space follows
//   7. \s+: what is left, a single whitespace character before a non-space
#include "tokenizer/pretokenizer.h"

#include "tokenizer/pretokenizer_scan.h"

namespace sllm {

using scan::class_at;
using scan::run_end;

namespace {
inline unsigned char lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
inline bool newline(unsigned char c) { return c == '\r' || c == '\n'; }
}  // namespace

const char* pretokenizer_regex(PretokenizerRule rule) {
  if (rule == PretokenizerRule::Llama3)
    return "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
           "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  return "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
}

size_t llama3_piece_end(std::string_view text, size_t pos) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  const unsigned char c0 = p[pos];
  // 1. contractions, any case
  if (c0 == '\'' && pos + 1 < n) {
    unsigned char c1 = lower(p[pos + 1]);
    if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return pos + 2;
    if (pos + 2 < n) {
      unsigned char c2 = lower(p[pos + 2]);
      if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) return pos + 3;
    }
  }
  size_t len0;
  const UnicodeClass cls0 = class_at(p + pos, len0);
  // 2. letters, maybe after one character that is not \r, \n, a letter or a number
  if (cls0 == UnicodeClass::Letter) return run_end(p, pos + len0, n, UnicodeClass::Letter);
  size_t len1 = 0;
  UnicodeClass cls1 = UnicodeClass::Other;
  const bool has1 = pos + len0 < n;
  if (has1) cls1 = class_at(p + pos + len0, len1);
  if (cls0 != UnicodeClass::Number && !newline(c0) && has1 && cls1 == UnicodeClass::Letter)
    return run_end(p, pos + len0 + len1, n, UnicodeClass::Letter);
  // 3. one to three numbers
  if (cls0 == UnicodeClass::Number) {
    size_t j = pos + len0;
    for (int k = 1; k < 3 && j < n; ++k) {
      size_t len;
      if (class_at(p + j, len) != UnicodeClass::Number) break;
      j += len;
    }
    return j;
  }
  // 4. " ?" then a run of others, then \r and \n
  size_t j = 0;
  if (cls0 == UnicodeClass::Other) j = pos + len0;
  else if (c0 == ' ' && has1 && cls1 == UnicodeClass::Other) j = pos + 1 + len1;
  if (j) {
    j = run_end(p, j, n, UnicodeClass::Other);
    while (j < n && newline(p[j])) ++j;
    return j;
  }
  // 5-7. whitespace (cls0 is Space here)
  size_t last = pos, newline_end = newline(c0) ? pos + 1 : 0;
  for (j = pos + len0; j < n;) {
    size_t len;
    if (class_at(p + j, len) != UnicodeClass::Space) break;
    if (newline(p[j])) newline_end = j + 1;
    last = j;
    j += len;
  }
  if (newline_end) return newline_end;
  if (j == n) return n;  // (?!\S) holds at the end of the text
  return last > pos ? last : j;
}

}  // namespace sllm
