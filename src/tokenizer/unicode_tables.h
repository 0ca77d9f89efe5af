// unicode_tables.h: the Unicode character classes the GPT-2 pre-tokenizer tests (\p{L}, \p{N},
// \s as JavaScript defines them). The ranges live in the generated unicode_tables.cpp; this
// header adds a fast classifier: a constant table for ASCII and a two-level table (built once
// from the ranges on first use) for the rest.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sllm {

struct CodePointRange {
  uint32_t first, last;  // inclusive
};

enum class UnicodeClass : uint8_t { Other = 0, Letter = 1, Number = 2, Space = 3 };

struct UnicodeRangeTable {
  const CodePointRange* ranges;  // sorted, disjoint
  size_t count;
};

// The generated ranges of one class (Other has none: it is everything else).
UnicodeRangeTable unicode_range_table(UnicodeClass c);

// Binary search in the generated ranges; the reference the fast table is checked against.
UnicodeClass unicode_class_slow(uint32_t cp);

// The class of a non-ASCII code point via the two-level table (any cp; > U+10FFFF is Other).
UnicodeClass unicode_class_table(uint32_t cp);

namespace detail {
// ASCII: letters A-Z a-z, digits 0-9, whitespace \t \n \v \f \r and space.
inline constexpr uint8_t kAsciiClass[128] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 0, 0,  // 0x00
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0x10
    3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0x20
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0,  // 0x30
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  // 0x40
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,  // 0x50
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  // 0x60
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,  // 0x70
};
}  // namespace detail

inline UnicodeClass unicode_class(uint32_t cp) {
  if (cp < 128) return UnicodeClass(detail::kAsciiClass[cp]);
  return unicode_class_table(cp);
}

}  // namespace sllm
