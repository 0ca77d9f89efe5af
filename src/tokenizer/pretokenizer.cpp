// pretokenizer.cpp: the GPT-2 piece matcher declared in pretokenizer.h.
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
#include "tokenizer/unicode_tables.h"

namespace sllm {

namespace {

// Decodes the code point at p (valid UTF-8 guaranteed by the caller), setting its length.
inline uint32_t decode_valid(const unsigned char* p, size_t& len) {
  unsigned char b = p[0];
  if (b < 0x80) { len = 1; return b; }
  if (b < 0xE0) { len = 2; return (uint32_t(b & 0x1F) << 6) | (p[1] & 0x3F); }
  if (b < 0xF0) { len = 3; return (uint32_t(b & 0x0F) << 12) | (uint32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F); }
  len = 4;
  return (uint32_t(b & 0x07) << 18) | (uint32_t(p[1] & 0x3F) << 12) | (uint32_t(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

inline UnicodeClass class_at(const unsigned char* p, size_t& len) {
  if (p[0] < 0x80) {
    len = 1;
    return UnicodeClass(detail::kAsciiClass[p[0]]);
  }
  return unicode_class_table(decode_valid(p, len));
}

// End of the run of class c that starts at j.
inline size_t run_end(const unsigned char* p, size_t j, size_t n, UnicodeClass c) {
  const auto want = uint8_t(c);
  while (j < n) {
    unsigned char b = p[j];
    if (b < 0x80) {
      if (detail::kAsciiClass[b] != want) break;
      ++j;
    } else {
      size_t len;
      if (unicode_class_table(decode_valid(p + j, len)) != c) break;
      j += len;
    }
  }
  return j;
}

}  // namespace

const char* pretokenizer_name(PretokenizerRule rule) {
  switch (rule) {
    case PretokenizerRule::Gpt2: return "gpt2";
  }
  return "gpt2";
}

bool parse_pretokenizer_name(std::string_view name, PretokenizerRule& out) {
  if (name == "gpt2") {
    out = PretokenizerRule::Gpt2;
    return true;
  }
  return false;
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

std::vector<std::string> pretokenize(std::string_view text, PretokenizerRule rule) {
  std::string clean = sanitize_utf8(text);
  std::vector<std::string> out;
  for_each_piece(clean, rule, [&](std::string_view piece) { out.emplace_back(piece); });
  return out;
}

}  // namespace sllm
