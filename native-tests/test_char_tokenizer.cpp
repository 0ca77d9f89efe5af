// test_char_tokenizer.cpp: the char tokenizer's vocabulary, round trips, special tokens,
// unknown characters, JSON round trip and streaming decoding; UTF-8 helpers.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/utf8.h"
#include "test_util.h"
#include "tokenizer/char_tokenizer.h"

using namespace sllm;

TEST_CASE("char vocabulary is the sorted unique code points, specials first", "[tokenizer][char]") {
  CharTokenizerOptions o;
  o.pad = o.unk = o.bos = o.eos = true;
  auto tok = CharTokenizer::train("héllo wörld 😀", o);
  CHECK(tok->special().pad == 0);
  CHECK(tok->special().unk == 1);
  CHECK(tok->special().bos == 2);
  CHECK(tok->special().eos == 3);
  CHECK(tok->token_string(4) == " ");
  CHECK(tok->token_string(tok->vocab_size() - 1) == "😀");
  CHECK(tok->vocab_size() == 4 + 10);  // 4 specials + space d e h l o r w é ö 😀 (10 characters)
}

TEST_CASE("char tokenizer round-trips the corpus and its own characters", "[tokenizer][char]") {
  const std::string& text = test::shakespeare();
  REQUIRE(text.size() == 1115394);
  auto tok = CharTokenizer::train(text);
  CHECK(tok->vocab_size() == 65);
  auto ids = tok->encode(text);
  CHECK(ids.size() == text.size());
  CHECK(tok->decode(ids) == text);
  std::string multi = "añ€😀\n";
  auto t2 = CharTokenizer::train(multi);
  CHECK(t2->decode(t2->encode(multi)) == multi);
  CHECK(t2->encode(multi).size() == 5);
}

TEST_CASE("special tokens: recognized only when allowed, decoded as nothing", "[tokenizer][char]") {
  CharTokenizerOptions o;
  o.eos = true;
  auto tok = CharTokenizer::train("[EOS]ab", o);
  auto plain = tok->encode("a[EOS]");
  CHECK(plain.size() == 6);
  auto special = tok->encode("a[EOS]", true);
  REQUIRE(special.size() == 2);
  CHECK(special[1] == tok->special().eos);
  CHECK(tok->decode(special) == "a");
}

TEST_CASE("char tokenizer JSON round trip and corrupt JSON", "[tokenizer][char]") {
  CharTokenizerOptions o;
  o.unk = true;
  auto tok = CharTokenizer::train("hello, world\n", o);
  auto back = Tokenizer::from_json(Json::parse(tok->to_json().dump()));
  CHECK(back->type() == "char");
  CHECK(back->encode("low, hell") == tok->encode("low, hell"));
  CHECK(back->special().unk == tok->special().unk);
  const char* bad[] = {
      R"({"type":"char"})",
      R"({"type":"char","tokens":[]})",
      R"({"type":"char","tokens":["a","a"]})",
      R"({"type":"char","tokens":["ab"]})",
      R"({"type":"char","tokens":[1]})",
      R"({"type":"char","tokens":["a"],"special":{"unk":5}})",
      R"({"type":"char","tokens":["a","b"],"special":{"unk":1}})",
      R"({"type":"klingon","tokens":["a"]})",
  };
  for (const char* b : bad) {
    INFO(b);
    try {
      Tokenizer::from_json(Json::parse(b));
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::Format);
    }
  }
}

TEST_CASE("streaming decoder holds back incomplete UTF-8", "[tokenizer][utf8]") {
  // A byte-level vocabulary is needed to split characters: emulate with a char tokenizer whose
  // tokens are whole characters (complete immediately) and check utf8_complete_prefix directly.
  CHECK(utf8_complete_prefix("ab") == 2);
  CHECK(utf8_complete_prefix("a\xE2\x82") == 1);       // € missing its last byte
  CHECK(utf8_complete_prefix("a\xE2\x82\xAC") == 4);
  CHECK(utf8_complete_prefix("a\xF0\x9F\x98") == 1);    // 😀 missing a byte
  CHECK(utf8_complete_prefix("a\xFF") == 2);            // invalid: emitted (as U+FFFD)
  auto tok = CharTokenizer::train("a€");
  StreamDecoder dec(*tok);
  std::string out;
  for (int32_t id : tok->encode("a€a")) out += dec.feed(id);
  out += dec.flush();
  CHECK(out == "a€a");
}

TEST_CASE("UTF-8 decoding replaces invalid bytes like TextDecoder", "[utf8]") {
  CHECK(utf8_decode("\xC3\xA9") == std::vector<uint32_t>{0xE9});
  CHECK(utf8_decode("\xFF" "a") == std::vector<uint32_t>{0xFFFD, 'a'});
  CHECK(utf8_decode("\xE2\x82" "a") == std::vector<uint32_t>{0xFFFD, 'a'});  // maximal subpart
  CHECK(utf8_decode("\xED\xA0\x80").size() == 3);                            // encoded surrogate: 3 x U+FFFD
  CHECK(utf8_valid("h\xC3\xA9\xEF\xBF\xBD"));
  CHECK_FALSE(utf8_valid("\xC0\xAF"));
  std::string s;
  utf8_append(s, 0xD800);
  CHECK(s == "\xEF\xBF\xBD");
}
