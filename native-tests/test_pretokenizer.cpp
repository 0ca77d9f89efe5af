// test_pretokenizer.cpp: the GPT-2 pre-tokenizer and the Unicode tables behind it, checked
// against the pieces JavaScript's regex gives for the adversarial case table.
#include <catch2/catch.hpp>

#include "core/utf8.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/unicode_tables.h"
#include "tokenizer_test_util.h"

using namespace sllm;

TEST_CASE("gpt2 pre-tokenizer matches the JS regex on every adversarial case", "[pretokenizer]") {
  for (const auto& c : test::tokenizer_cases()) {
    INFO("case: " << c.name);
    CHECK(pretokenize(c.text) == c.pieces);
  }
}

TEST_CASE("gpt2 pre-tokenizer pieces concatenate back to the corpus", "[pretokenizer]") {
  const std::string& text = test::shakespeare();
  REQUIRE(text.size() > 1000000);
  std::string joined;
  size_t pieces = 0;
  for_each_piece(text, PretokenizerRule::Gpt2, [&](std::string_view p) {
    REQUIRE(!p.empty());
    joined.append(p);
    ++pieces;
  });
  CHECK(joined == text);
  CHECK(pieces > 200000);
}

TEST_CASE("gpt2 pre-tokenizer handles hand-picked edge cases", "[pretokenizer]") {
  using V = std::vector<std::string>;
  CHECK(pretokenize("Hello world") == V{"Hello", " world"});
  CHECK(pretokenize("don't") == V{"don", "'t"});
  CHECK(pretokenize("IT'S") == V{"IT", "'", "S"});
  CHECK(pretokenize("a  b") == V{"a", " ", " b"});
  CHECK(pretokenize("a \n") == V{"a", " \n"});
  CHECK(pretokenize("x\n\ny") == V{"x", "\n", "\n", "y"});
  CHECK(pretokenize(" 123abc") == V{" 123", "abc"});
  CHECK(pretokenize("?!'s") == V{"?!'", "s"});
  // Invalid UTF-8 is read as U+FFFD, an "other" character.
  CHECK(pretokenize("a\xFF\xFE b") == V{"a", "\xEF\xBF\xBD\xEF\xBF\xBD", " b"});
  CHECK(pretokenize("").empty());
}

TEST_CASE("the two-level Unicode table agrees with the generated ranges everywhere", "[pretokenizer]") {
  size_t counts[4] = {0, 0, 0, 0};
  for (uint32_t cp = 0; cp < 0x110000; ++cp) {
    UnicodeClass slow = unicode_class_slow(cp);
    if (unicode_class(cp) != slow) FAIL("class differs at U+" << std::hex << cp);
    ++counts[int(slow)];
  }
  CHECK(counts[int(UnicodeClass::Letter)] > 100000);
  CHECK(counts[int(UnicodeClass::Number)] > 1000);
  CHECK(counts[int(UnicodeClass::Space)] == 25);  // JS \s
  CHECK(unicode_class(0xFEFF) == UnicodeClass::Space);
  CHECK(unicode_class(0x0085) == UnicodeClass::Other);
  CHECK(unicode_class(0x00E9) == UnicodeClass::Letter);
  CHECK(unicode_class(0x0663) == UnicodeClass::Number);
}

TEST_CASE("GPT-2 byte-level strings map every byte and back", "[pretokenizer]") {
  std::string all;
  for (int b = 0; b < 256; ++b) all += char(b);
  std::string shown = byte_level_encode(all), back;
  REQUIRE(byte_level_decode(shown, back));
  CHECK(back == all);
  CHECK(byte_level_encode(" ") == "\xC4\xA0");   // "Ġ"
  CHECK(byte_level_encode("\n") == "\xC4\x8A");  // "Ċ"
  CHECK(byte_level_encode("A~") == "A~");
  CHECK_FALSE(byte_level_decode(" ", back));  // a raw space is not a byte-level character
  CHECK_FALSE(byte_level_decode("\xE2\x82\xAC", back));
}
