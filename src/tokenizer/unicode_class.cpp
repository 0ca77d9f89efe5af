// unicode_class.cpp: the classifiers declared in unicode_tables.h over the generated ranges.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "tokenizer/unicode_tables.h"

namespace sllm {

namespace {

bool in_ranges(const UnicodeRangeTable& t, uint32_t cp) {
  const CodePointRange* end = t.ranges + t.count;
  const CodePointRange* it =
      std::upper_bound(t.ranges, end, cp, [](uint32_t v, const CodePointRange& r) { return v < r.first; });
  return it != t.ranges && cp <= (it - 1)->last;
}

// stage1[cp >> 8] is the index of a 256-entry block in stage2; identical blocks are shared.
struct TwoLevelTable {
  static constexpr uint32_t kBlocks = 0x110000 >> 8;
  std::vector<uint16_t> stage1;
  std::vector<uint8_t> stage2;

  TwoLevelTable() {
    std::vector<uint8_t> flat(0x110000, uint8_t(UnicodeClass::Other));
    for (UnicodeClass c : {UnicodeClass::Letter, UnicodeClass::Number, UnicodeClass::Space}) {
      UnicodeRangeTable t = unicode_range_table(c);
      for (size_t i = 0; i < t.count; ++i)
        std::fill(flat.begin() + t.ranges[i].first, flat.begin() + t.ranges[i].last + 1, uint8_t(c));
    }
    std::map<std::string, uint16_t> seen;
    stage1.resize(kBlocks);
    for (uint32_t b = 0; b < kBlocks; ++b) {
      std::string block(reinterpret_cast<const char*>(flat.data()) + (size_t(b) << 8), 256);
      auto it = seen.emplace(block, uint16_t(stage2.size() / 256));
      if (it.second) stage2.insert(stage2.end(), block.begin(), block.end());
      stage1[b] = it.first->second;
    }
  }
};

}  // namespace

UnicodeClass unicode_class_slow(uint32_t cp) {
  if (in_ranges(unicode_range_table(UnicodeClass::Letter), cp)) return UnicodeClass::Letter;
  if (in_ranges(unicode_range_table(UnicodeClass::Number), cp)) return UnicodeClass::Number;
  if (in_ranges(unicode_range_table(UnicodeClass::Space), cp)) return UnicodeClass::Space;
  return UnicodeClass::Other;
}

UnicodeClass unicode_class_table(uint32_t cp) {
  static const TwoLevelTable table;
  if (cp >= 0x110000) return UnicodeClass::Other;
  return UnicodeClass(table.stage2[size_t(table.stage1[cp >> 8]) * 256 + (cp & 0xFF)]);
}

}  // namespace sllm
