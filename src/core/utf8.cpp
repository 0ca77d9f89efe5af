// utf8.cpp: see utf8.h.
#include "core/utf8.h"

namespace sllm {

namespace {
// Expected sequence length and valid range of the second byte, per WHATWG's decoder.
bool lead_info(unsigned char b, int& len, unsigned char& lo, unsigned char& hi) {
  lo = 0x80;
  hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) { len = 2; return true; }
  if (b >= 0xE0 && b <= 0xEF) {
    len = 3;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
    return true;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    len = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
    return true;
  }
  return false;
}
}  // namespace

uint32_t utf8_next(std::string_view s, size_t& i) {
  auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) { ++i; return b0; }
  int len;
  unsigned char lo, hi;
  if (!lead_info(b0, len, lo, hi)) { ++i; return kReplacementChar; }
  uint32_t cp = b0 & (0xFF >> (len + 1));
  size_t j = i + 1;
  for (int k = 1; k < len; ++k, ++j) {
    if (j >= s.size()) { i = j; return kReplacementChar; }
    auto b = static_cast<unsigned char>(s[j]);
    unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
    if (b < l || b > h) { i = j; return kReplacementChar; }
    cp = (cp << 6) | (b & 0x3F);
  }
  i = j;
  return cp;
}

void utf8_append(std::string& out, uint32_t cp) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacementChar;
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

std::vector<uint32_t> utf8_decode(std::string_view s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) out.push_back(utf8_next(s, i));
  return out;
}

std::string utf8_encode(const std::vector<uint32_t>& cps) {
  std::string out;
  out.reserve(cps.size());
  for (uint32_t cp : cps) utf8_append(out, cp);
  return out;
}

bool utf8_valid(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    uint32_t cp = utf8_next(s, i);
    if (cp == kReplacementChar) {
      // A literal U+FFFD is three bytes EF BF BD; anything else producing it was invalid.
      if (i - start != 3 || static_cast<unsigned char>(s[start]) != 0xEF) return false;
    }
  }
  return true;
}

size_t utf8_complete_prefix(std::string_view s) {
  // Look back at most 3 bytes for a lead byte whose sequence is not yet complete.
  size_t n = s.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    auto b = static_cast<unsigned char>(s[n - back]);
    if ((b & 0xC0) == 0x80) continue;  // continuation: keep looking for the lead
    int len;
    unsigned char lo, hi;
    if (b < 0x80 || !lead_info(b, len, lo, hi)) return n;
    if (size_t(len) <= back) return n;  // complete
    // Incomplete: check the bytes so far are a valid prefix; if not, it is already an error.
    for (size_t k = 1; k < back; ++k) {
      auto c = static_cast<unsigned char>(s[n - back + k]);
      unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
      if (c < l || c > h) return n;
    }
    return n - back;
  }
  return n;
}

}  // namespace sllm
