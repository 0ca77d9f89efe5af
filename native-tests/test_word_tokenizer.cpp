// test_word_tokenizer.cpp: the word tokenizer (GPT-2 pre-tokenizer pieces as words) and the
// char tokenizer's round trip on text within their vocabularies.
#include <catch2/catch.hpp>

#include <unordered_set>

#include "core/error.h"
#include "core/utf8.h"
#include "tokenizer/char_tokenizer.h"
#include "tokenizer/word_tokenizer.h"
#include "tokenizer_test_util.h"

using namespace sllm;

TEST_CASE("word tokenizer round-trips text made of known words", "[word]") {
  const std::string& text = test::shakespeare();
  std::unordered_set<std::string> distinct;
  for (const auto& p : pretokenize(text)) distinct.insert(p);
  WordTokenizerOptions o;
  o.vocab_size = 1 + int32_t(distinct.size()) + 100;  // room for every word
  auto tok = WordTokenizer::train(text, o);
  CHECK(tok->vocab_size() == 1 + int32_t(distinct.size()));
  auto ids = tok->encode(text);
  for (int32_t id : ids) REQUIRE(id != tok->special().unk);
  CHECK(tok->decode(ids) == text);
  // Any text cut from the corpus at piece boundaries also round-trips.
  std::string part = text.substr(5000, 3000);
  CHECK(tok->decode(tok->encode(part)) == part);
}

TEST_CASE("word tokenizer keeps the most frequent words and maps the rest to [UNK]", "[word]") {
  WordTokenizerOptions o;
  o.vocab_size = 500;
  o.pad = o.bos = o.eos = true;
  auto tok = WordTokenizer::train(test::shakespeare(), o);
  CHECK(tok->vocab_size() == 500);
  CHECK(tok->token_string(0) == "[PAD]");
  CHECK(tok->token_string(1) == "[UNK]");
  CHECK(tok->token_string(2) == "[BOS]");
  CHECK(tok->token_string(3) == "[EOS]");
  CHECK(tok->special().unk == 1);
  CHECK(tok->token_id(" the") > 3);
  CHECK(tok->token_id(" the") < 20);  // among the most frequent words
  CHECK(tok->token_id("zzz") == -1);

  const int32_t the = tok->token_id(" the"), unk = tok->special().unk;
  CHECK(tok->encode(" the") == std::vector<int32_t>{the});
  CHECK(tok->encode(" the xylophonist") == std::vector<int32_t>{the, unk});
  CHECK(tok->decode(tok->encode(" the xylophonist")) == " the\xEF\xBF\xBD");
  CHECK(tok->encode("[EOS]", true) == std::vector<int32_t>{3});
  for (int32_t id : tok->encode("[EOS][PAD]", false)) CHECK(id != 3);
  CHECK(tok->decode(tok->encode(" the[EOS]", true)) == " the");
  // Every adversarial case encodes without throwing; decoding gives valid UTF-8.
  for (const auto& c : test::tokenizer_cases()) CHECK(utf8_valid(tok->decode(tok->encode(c.text))));

  // Deterministic ranking.
  auto again = WordTokenizer::train(test::shakespeare(), o);
  CHECK(again->to_json().dump() == tok->to_json().dump());
}

TEST_CASE("word tokenizer rejects bad training input", "[word]") {
  WordTokenizerOptions o;
  CHECK_THROWS_AS(WordTokenizer::train("", o), Error);
  o.vocab_size = 1;
  CHECK_THROWS_AS(WordTokenizer::train("abc", o), Error);
}

TEST_CASE("char tokenizer round-trips adversarial strings within its vocabulary", "[char]") {
  std::string all;
  for (const auto& c : test::tokenizer_cases()) all += c.text;
  auto tok = CharTokenizer::train(all);
  for (const auto& c : test::tokenizer_cases()) {
    INFO("case: " << c.name);
    CHECK(tok->decode(tok->encode(c.text)) == c.text);
  }
}

TEST_CASE("word tokenizer round-trips each adversarial string with a vocabulary of its words", "[word]") {
  // A string's words (pre-tokenizer pieces) depend on their neighbours, so each string gets a
  // vocabulary learned from itself (the same check the Vitest conformance test makes in wasm).
  size_t checked = 0;
  for (const auto& c : test::tokenizer_cases()) {
    if (c.text.empty()) continue;
    WordTokenizerOptions o;
    o.vocab_size = 100000;
    auto tok = WordTokenizer::train(c.text, o);
    INFO("case: " << c.name);
    CHECK(tok->decode(tok->encode(c.text)) == c.text);
    ++checked;
  }
  CHECK(checked > 60);
}
