// byte_level.h: GPT-2's byte-to-unicode mapping, which shows every byte as a printable
// character (printable Latin-1 bytes as themselves, the other 68 as U+0100..U+0143, so a space
// is "Ġ" and a newline "Ċ"). BPE vocabularies store their token strings this way, exactly as
// GPT-2's encoder.json and vocab.bpe do.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace sllm {

// The code point GPT-2 shows byte b as.
uint32_t byte_to_unicode(uint8_t b);

// Raw bytes -> display string (UTF-8 of the mapped code points).
std::string byte_level_encode(std::string_view bytes);

// Display string -> raw bytes. Returns false (out unspecified) when s is not valid UTF-8 or
// holds a character outside the mapping.
bool byte_level_decode(std::string_view s, std::string& out);

}  // namespace sllm
