// byte_level.cpp: see byte_level.h. The mapping is GPT-2's bytes_to_unicode(): bytes
// '!'..'~', 0xA1..0xAC and 0xAE..0xFF map to the same code point; the rest, in increasing
// byte order, map to 256, 257, ...
#include "tokenizer/byte_level.h"

#include "core/utf8.h"

namespace sllm {

namespace {

struct ByteMap {
  uint32_t to_cp[256];
  int16_t from_cp[512];  // code point -> byte, -1 if none (all mapped code points are < 324)
  std::string shown[256];

  ByteMap() {
    for (auto& v : from_cp) v = -1;
    uint32_t extra = 0;
    for (uint32_t b = 0; b < 256; ++b) {
      bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      to_cp[b] = printable ? b : 256 + extra++;
      from_cp[to_cp[b]] = int16_t(b);
      utf8_append(shown[b], to_cp[b]);
    }
  }
};

const ByteMap& byte_map() {
  static const ByteMap m;
  return m;
}

}  // namespace

uint32_t byte_to_unicode(uint8_t b) { return byte_map().to_cp[b]; }

std::string byte_level_encode(std::string_view bytes) {
  const ByteMap& m = byte_map();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) out += m.shown[b];
  return out;
}

bool byte_level_decode(std::string_view s, std::string& out) {
  const ByteMap& m = byte_map();
  out.clear();
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = utf8_next(s, i);  // invalid UTF-8 gives U+FFFD, which is not in the map
    if (cp >= 512 || m.from_cp[cp] < 0) return false;
    out += char(m.from_cp[cp]);
  }
  return true;
}

}  // namespace sllm
