// pretokenizer.cpp: the rule names and the GPT-2 piece matcher declared in pretokenizer.h
// (Llama 3's is in pretokenizer_llama3.cpp).
//
// The regex alternatives are tried in order at each position, as a backtracking engine would:
//   1. 's 't 're 've 'm 'll 'd (lower case only)
//   2-4. an optional U+0020 then a run of letters, of numbers, or of "other" (neither
//        whitespace, letter nor number); the space is taken only if the run follows it
//   5. \s+(?!\S): a whitespace run, minus its last character when a non-space follows
//   6. \s+: what is left, a single whitespace character before a non-space
#include "tokenizer/pretokenizer.h"

#include "core/error.h"
#include "core/utf8.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/pretokenizer_scan.h"

namespace sllm {

using scan::class_at;
using scan::run_end;

namespace {
constexpr std::pair<PretokenizerRule, const char*> kRuleNames[] = {
    {PretokenizerRule::Gpt2, "gpt2"},
    {PretokenizerRule::Llama3, "llama3"},
    {PretokenizerRule::Smollm, "smollm"},
};
}  // namespace

const char* pretokenizer_name(PretokenizerRule rule) {
  for (const auto& [r, name] : kRuleNames)
    if (r == rule) return name;
  return "gpt2";
}

bool parse_pretokenizer_name(std::string_view name, PretokenizerRule& out) {
  for (const auto& [r, n] : kRuleNames)
    if (name == n) {
      out = r;
      return true;
    }
  return false;
}

std::string pretokenizer_names() {
  std::string out;
  for (const auto& [r, name] : kRuleNames) out += std::string(out.empty() ? "" : ", ") + "\"" + name + "\"";
  return out;
}

size_t gpt2_piece_end(std::string_view text, size_t pos) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  const unsigned char c0 = p[pos];
  // 1. contractions
  if (c0 == '\'' && pos + 1 < n) {
    unsigned char c1 = p[pos + 1];
    if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return pos + 2;
    if (pos + 2 < n) {
      unsigned char c2 = p[pos + 2];
      if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) return pos + 3;
    }
  }
  // 2-4. " ?" followed by a run of letters, numbers or others
  if (c0 == ' ' && pos + 1 < n) {
    size_t len;
    UnicodeClass c1 = class_at(p + pos + 1, len);
    if (c1 != UnicodeClass::Space) return run_end(p, pos + 1 + len, n, c1);
  }
  size_t len0;
  UnicodeClass cls = class_at(p + pos, len0);
  if (cls != UnicodeClass::Space) return run_end(p, pos + len0, n, cls);
  // 5-6. whitespace
  size_t last = pos, j = pos + len0;
  while (j < n) {
    size_t len;
    if (class_at(p + j, len) != UnicodeClass::Space) break;
    last = j;
    j += len;
  }
  if (j == n) return n;  // (?!\S) holds at the end of the text
  return last > pos ? last : j;
}

size_t digit_split_end(std::string_view text, size_t pos, bool& number) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t len;
  number = class_at(p + pos, len) == UnicodeClass::Number;
  if (number) return pos + len;
  for (size_t j = pos + len; j < n; j += len)
    if (class_at(p + j, len) == UnicodeClass::Number) return j;
  return n;
}

std::vector<std::string> pretokenize(std::string_view text, PretokenizerRule rule) {
  std::string clean = sanitize_utf8(text);
  std::vector<std::string> out;
  for_each_piece(clean, rule, [&](std::string_view piece) { out.emplace_back(piece); });
  return out;
}

}  // namespace sllm
