// test_spm_tokenizer.cpp: the SentencePiece-style BPE tokenizer against llama.cpp itself (ids
// made by llama.cpp's llama-tokenize, native-tests/fixtures/spm_llamacpp.json, see
// scripts/make_spm_fixture.py), its rules on small vocabularies, its JSON form and its checks of
// untrusted vocabularies; and the char tokenizer's spm form encoding to the same ids.
#include <algorithm>
#include <cstdio>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "tokenizer/char_as_spm.h"
#include "tokenizer/char_tokenizer.h"
#include "tokenizer/spm_tokenizer.h"
#include "tokenizer_test_util.h"

using namespace sllm;

namespace {

const Json& fixture() {
  static const Json j = [] {
    std::string text = test::read_text_file(std::string(SLLM_SOURCE_DIR) + "/native-tests/fixtures/spm_llamacpp.json");
    REQUIRE(!text.empty());  // a missing fixture fails
    return Json::parse(text);
  }();
  return j;
}

std::vector<int32_t> ids_of(const Json& a) {
  std::vector<int32_t> out;
  for (const Json& x : a.items()) out.push_back(int32_t(x.as_number()));
  return out;
}

// A small vocabulary: "▁" and letters, a few merges with chosen scores, bytes for fallback.
SpmVocab small_vocab(bool byte_fallback = true) {
  SpmVocab v;
  auto add = [&](const std::string& t, float score, SpmTokenType type = SpmTokenType::Normal) {
    v.tokens.push_back(t);
    v.scores.push_back(score);
    v.types.push_back(int32_t(type));
  };
  add("<unk>", 0, SpmTokenType::Unknown);
  add("<s>", 0, SpmTokenType::Control);
  add("</s>", 0, SpmTokenType::Control);
  for (const char* c : {"\xE2\x96\x81", "a", "b", "c"}) add(c, -100);
  add("ab", -1);
  add("bc", -1);  // equal score to "ab": the leftmost pair merges first
  add("\xE2\x96\x81" "a", -2);
  add("abc", -3);
  if (byte_fallback)
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      add(name, 0, SpmTokenType::Byte);
    }
  v.special.unk = 0;
  v.special.bos = 1;
  v.special.eos = 2;
  v.byte_fallback = byte_fallback;
  return v;
}

}  // namespace

TEST_CASE("spm: the adversarial table and tinyshakespeare encode to llama.cpp's ids", "[spm]") {
  const Json& fx = fixture();
  auto tok = Tokenizer::from_json(fx.get("tokenizer", Json::Type::Object));
  REQUIRE(tok->type() == "spm");
  size_t checked = 0;
  for (const Json& c : fx.get("cases", Json::Type::Array).items()) {
    INFO("case: " << c.get_string("name"));
    CHECK(tok->encode(c.get_string("text"), c.get_bool("special")) == ids_of(c.get("ids", Json::Type::Array)));
    ++checked;
  }
  CHECK(checked >= 68 + 7);
  const std::string excerpt = test::shakespeare().substr(0, size_t(fx.get_number("excerpt_chars")));
  REQUIRE(excerpt.size() == 3000);
  const std::vector<int32_t> expect = ids_of(fx.get("excerpt_ids", Json::Type::Array));
  CHECK(tok->encode(excerpt) == expect);
  CHECK(tok->decode(expect) == excerpt);  // the prefix space comes off again
}

TEST_CASE("spm: merges by score, leftmost first on ties, with the space prefix", "[spm]") {
  auto tok = SpmTokenizer::create(small_vocab());
  // "abc": ab and bc tie at -1; the leftmost (ab) merges, then "ab"+"c" = "abc" (-3).
  // With the prefix: ▁ a b c -> "▁a" (-2) loses to "ab" (-1) -> ▁ ab c -> ▁ abc.
  CHECK(tok->encode("abc") == std::vector<int32_t>{3, 10});
  CHECK(tok->encode("bc a") == std::vector<int32_t>{3, 8, 9});     // ▁ bc ▁a
  CHECK(tok->decode(tok->encode("bc a")) == "bc a");
  CHECK(tok->decode({3, 10}) == "abc");
  CHECK(tok->decode({10, 3}) == "abc ");  // only a leading space of the first token goes
}

TEST_CASE("spm: characters without a piece fall back to byte tokens, or unk", "[spm]") {
  auto tok = SpmTokenizer::create(small_vocab());
  const int32_t byte0 = 11;  // "<0x00>"
  CHECK(tok->encode("\xC3\xA9") == std::vector<int32_t>{3, byte0 + 0xC3, byte0 + 0xA9});
  CHECK(tok->decode(tok->encode("a\xC3\xA9")) == "a\xC3\xA9");
  auto no_bytes = SpmTokenizer::create(small_vocab(false));
  CHECK(no_bytes->encode("\xC3\xA9" "a") == std::vector<int32_t>{3, 0, 4});
  CHECK(no_bytes->decode({0}) == "\xEF\xBF\xBD");
  SpmVocab v = small_vocab(false);
  v.special.unk = -1;
  v.types[0] = int32_t(SpmTokenType::Control);
  auto strict = SpmTokenizer::create(v);
  CHECK_THROWS_AS(strict->encode("\xC3\xA9"), Error);
}

TEST_CASE("spm: control tokens are matched only when allowed, and restart the space prefix", "[spm]") {
  auto tok = SpmTokenizer::create(small_vocab());
  CHECK(tok->encode("<s>a", true) == std::vector<int32_t>{1, 9});  // <s> ▁a: the prefix goes on the text after it
  std::vector<int32_t> plain = tok->encode("<s>a", false);
  CHECK(plain.size() > 3);
  CHECK(std::find(plain.begin(), plain.end(), 1) == plain.end());
  CHECK(tok->decode({1, 9}) == " a");  // control tokens print nothing; only the first token is stripped
}

TEST_CASE("spm: JSON round trip keeps every field and encodes the same", "[spm]") {
  auto tok = Tokenizer::from_json(fixture().get("tokenizer", Json::Type::Object));
  Json j = tok->to_json();
  auto again = Tokenizer::from_json(Json::parse(j.dump()));
  CHECK(again->to_json().dump() == j.dump());
  const std::string text = test::shakespeare().substr(5000, 2000);
  CHECK(again->encode(text) == tok->encode(text));
}

TEST_CASE("spm: a malformed vocabulary is a format error naming the field", "[spm]") {
  Json good = SpmTokenizer::create(small_vocab())->to_json();
  auto broken = [&](const char* key, Json value, const std::string& needle) {
    Json j = good;
    j.set(key, std::move(value));
    try {
      Tokenizer::from_json(j);
      FAIL("accepted a broken " << key);
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::Format);
      CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains(needle));
    }
  };
  Json short_scores = Json::array();
  short_scores.push(1.0);
  broken("scores", short_scores, "scores");
  broken("scores", Json("x"), "\"scores\" must be an array of numbers");
  Json bad_types = good.get("token_types", Json::Type::Array);
  bad_types.items()[4] = Json(9);
  broken("token_types", bad_types, "token type");
  Json bad_byte = good.get("token_types", Json::Type::Array);
  bad_byte.items()[4] = Json(6);  // "a" is not <0xXX>
  broken("token_types", bad_byte, "<0xXX>");
  Json dup = good.get("tokens", Json::Type::Array);
  dup.items()[5] = Json("a");
  broken("tokens", dup, "repeats");
  Json empty = good.get("tokens", Json::Type::Array);
  empty.items()[5] = Json("");
  broken("tokens", empty, "empty");
  broken("add_bos", Json("yes"), "add_bos");
  Json sp = Json::object();
  sp.set("bos", 100000);
  broken("special", sp, "bos");
}

TEST_CASE("char tokenizer: its spm form encodes the same ids", "[spm][char]") {
  const std::string& corpus = test::shakespeare();
  std::string text = corpus.substr(0, 20000);
  for (const auto& c : test::tokenizer_cases()) text += c.text;  // every character the cases use
  CharTokenizerOptions opts;
  opts.pad = opts.unk = opts.bos = opts.eos = true;
  auto chars = CharTokenizer::train(text, opts);
  auto spm = SpmTokenizer::create(char_as_spm_vocab(*chars));
  REQUIRE(spm->vocab_size() == chars->vocab_size());
  for (const auto& c : test::tokenizer_cases()) {
    INFO("case: " << c.name);
    CHECK(spm->encode(c.text, c.allow_special) == chars->encode(c.text, c.allow_special));
    CHECK(spm->decode(chars->encode(c.text)) == chars->decode(chars->encode(c.text)));
  }
  CHECK(spm->encode(corpus) == chars->encode(corpus));
  CHECK(spm->encode("[BOS]to be[EOS]", true) == chars->encode("[BOS]to be[EOS]", true));
  CHECK(spm->encode("\xE2\x98\x83") == chars->encode("\xE2\x98\x83"));  // outside: [UNK] in both
  auto with_bar = CharTokenizer::train("a\xE2\x96\x81 b");
  CHECK_THROWS_AS(char_as_spm_vocab(*with_bar), Error);
}
