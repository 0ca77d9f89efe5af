// utf8.h: decoding and encoding UTF-8 code points, shared by the tokenizers.
// Invalid input decodes as U+FFFD per maximal subpart (as TextDecoder does), so any bytes map
// to a well-defined sequence of code points.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sllm {

constexpr uint32_t kReplacementChar = 0xFFFD;

// Decodes one code point at s[i], advancing i past it (by at least one byte).
uint32_t utf8_next(std::string_view s, size_t& i);

// Appends the UTF-8 encoding of cp (surrogates and values > U+10FFFF become U+FFFD).
void utf8_append(std::string& out, uint32_t cp);

std::vector<uint32_t> utf8_decode(std::string_view s);
std::string utf8_encode(const std::vector<uint32_t>& cps);

// True when s is well-formed UTF-8.
bool utf8_valid(std::string_view s);

// Length of the longest prefix of s that ends on a complete code point boundary, treating a
// trailing incomplete (but so far valid) sequence as unfinished. Used by streaming decoders.
size_t utf8_complete_prefix(std::string_view s);

}  // namespace sllm
