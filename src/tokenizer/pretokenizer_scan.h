// pretokenizer_scan.h: the small scanning steps the hand-written pre-tokenizer matchers share
// (pretokenizer.cpp for GPT-2, pretokenizer_llama3.cpp for Llama 3): decoding one code point
// of valid UTF-8, its character class (ASCII from a constant table) and the end of a run of
// one class. Internal to src/tokenizer.
#pragma once
#include <cstddef>
#include <cstdint>

#include "tokenizer/unicode_tables.h"

namespace sllm::scan {

// Decodes the code point at p (valid UTF-8 guaranteed by the caller), setting its length.
inline uint32_t decode_valid(const unsigned char* p, size_t& len) {
  unsigned char b = p[0];
  if (b < 0x80) { len = 1; return b; }
  if (b < 0xE0) { len = 2; return (uint32_t(b & 0x1F) << 6) | (p[1] & 0x3F); }
  if (b < 0xF0) { len = 3; return (uint32_t(b & 0x0F) << 12) | (uint32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F); }
  len = 4;
  return (uint32_t(b & 0x07) << 18) | (uint32_t(p[1] & 0x3F) << 12) | (uint32_t(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

// The class of the character at p, setting its length in bytes.
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

}  // namespace sllm::scan
