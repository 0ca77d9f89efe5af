// test_llama3.cpp: the Llama 3 (cl100k_base) pre-tokenizer against js-tiktoken's regex on the
// adversarial table, and cl100k_base's ranks (from js-tiktoken) loaded through from_tiktoken
// with that rule against js-tiktoken's ids on the table and all of tinyshakespeare; BPE add_bos.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer_test_util.h"

using namespace sllm;

TEST_CASE("llama3 pre-tokenizer matches js-tiktoken's cl100k_base regex on every adversarial case", "[llama3]") {
  // The pattern js-tiktoken splits with is the one pretokenizer.h documents.
  CHECK(test::cl100k_ranks().pattern ==
        "('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
        "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
  REQUIRE(test::tokenizer_cases().size() > 70);
  for (const auto& c : test::tokenizer_cases()) {
    INFO("case: " << c.name);
    CHECK(pretokenize(c.text, PretokenizerRule::Llama3) == c.llama3_pieces);
  }
}

TEST_CASE("llama3 pre-tokenizer handles hand-picked edge cases", "[llama3]") {
  using V = std::vector<std::string>;
  auto split = [](std::string_view s) { return pretokenize(s, PretokenizerRule::Llama3); };
  CHECK(split("Hello world") == V{"Hello", " world"});
  CHECK(split("IT'S don'T") == V{"IT", "'S", " don", "'T"});
  CHECK(split("12345") == V{"123", "45"});
  CHECK(split("x.\n\ny") == V{"x", ".\n\n", "y"});
  CHECK(split("a \n b") == V{"a", " \n", " b"});
  CHECK(split("\n\n  \n  x") == V{"\n\n  \n", " ", " x"});
  CHECK(split("(hi)") == V{"(hi", ")"});
  CHECK(split("\tx") == V{"\tx"});
  CHECK(split("\rx") == V{"\r", "x"});
  CHECK(split("   ") == V{"   "});
  CHECK(split("a\xFF b") == V{"a", "\xEF\xBF\xBD", " b"});  // invalid UTF-8 is U+FFFD, an "other"
  CHECK(split("").empty());
  PretokenizerRule r;
  REQUIRE(parse_pretokenizer_name("llama3", r));
  CHECK(r == PretokenizerRule::Llama3);
  CHECK(std::string(pretokenizer_name(PretokenizerRule::Llama3)) == "llama3");
  CHECK_FALSE(parse_pretokenizer_name("llama-bpe", r));
}

TEST_CASE("smollm pre-tokenizer (digits alone, then gpt2) matches the JS regexes on every case", "[llama3]") {
  for (const auto& c : test::tokenizer_cases()) {
    INFO("case: " << c.name);
    CHECK(pretokenize(c.text, PretokenizerRule::Smollm) == c.smollm_pieces);
    for (const auto& p : c.smollm_pieces) CHECK(piece_end(PretokenizerRule::Smollm, p, 0) == p.size());
  }
  using V = std::vector<std::string>;
  CHECK(pretokenize("x 2024 ab12  ", PretokenizerRule::Smollm) == V{"x", " ", "2", "0", "2", "4", " ab", "1", "2", "  "});
}

TEST_CASE("llama3 pre-tokenizer pieces concatenate back to the corpus", "[llama3]") {
  const std::string& text = test::shakespeare();
  std::string joined;
  for_each_piece(text, PretokenizerRule::Llama3, [&](std::string_view p) {
    REQUIRE(!p.empty());
    joined.append(p);
  });
  CHECK(joined == text);
}

TEST_CASE("cl100k_base through from_tiktoken with the llama3 rule equals js-tiktoken", "[llama3]") {
  const BpeTokenizer& tok = test::cl100k_tokenizer();
  CHECK(tok.vocab_size() == 100277);  // ranks 0..100255, specials up to <|endofprompt|> 100276
  CHECK(tok.special().eos == 100257);
  CHECK(tok.is_special(100256));      // an id cl100k_base leaves unused: a placeholder
  CHECK(tok.token_string(100256) == "[PAD100256]");
  CHECK(tok.decode({100256}).empty());
  size_t compared = 0;
  for (const auto& c : test::tokenizer_cases()) {
    INFO("case: " << c.name);
    auto ids = tok.encode(c.text, c.allow_special);
    CHECK(ids == c.cl100k);
    compared += ids.size();
    if (!c.allow_special) CHECK(tok.decode(ids) == c.text);
  }
  CHECK(compared > 700);
  // Count and FNV-1a of js-tiktoken 1.0.21's cl100k_base ids of all of tinyshakespeare.
  auto ids = tok.encode(test::shakespeare());
  CHECK(ids.size() == 301829);
  CHECK(test::fnv1a_ids(ids) == 0x273718c9b00c7ab1ULL);
  CHECK(tok.decode(ids) == test::shakespeare());
}

TEST_CASE("BPE add_bos starts encodings with bos, once, and survives JSON", "[llama3]") {
  auto specials = test::cl100k_ranks().specials;
  specials.emplace_back("<|begin_of_text|>", 100277);
  auto tok = BpeTokenizer::from_tiktoken(test::cl100k_ranks().ranks_file, specials, "<|endoftext|>", "<|begin_of_text|>");
  tok->set_pretokenizer(PretokenizerRule::Llama3);
  const int32_t bos = 100277;
  REQUIRE(tok->special().bos == bos);
  const std::vector<int32_t> hello = tok->encode("Hello world");
  CHECK(hello == std::vector<int32_t>{9906, 1917});
  tok->set_add_bos(true);
  CHECK(tok->encode("Hello world") == std::vector<int32_t>{bos, 9906, 1917});
  CHECK(tok->encode("") == std::vector<int32_t>{bos});
  // allow_special: a text that brings its own BOS (a rendered chat template) gets no second one;
  // without allow_special the literal string is ordinary text after the added BOS.
  CHECK(tok->encode("<|begin_of_text|>Hello world", true) == std::vector<int32_t>{bos, 9906, 1917});
  CHECK(tok->encode("Hi<|begin_of_text|>", true) == std::vector<int32_t>{bos, 13347, bos});
  auto plain = tok->encode("<|begin_of_text|>Hello world", false);
  CHECK(plain.size() > 3);
  CHECK(plain[0] == bos);
  CHECK(std::count(plain.begin(), plain.end(), bos) == 1);
  CHECK(tok->decode(tok->encode("Hello world")) == "Hello world");

  Json j = tok->to_json();
  CHECK(j.get_string("pretokenizer") == "llama3");
  CHECK(j.find("add_bos")->as_bool());
  auto back = BpeTokenizer::from_json(j);
  CHECK(back->add_bos());
  CHECK(back->pretokenizer() == PretokenizerRule::Llama3);
  for (const auto& c : test::tokenizer_cases()) {
    std::vector<int32_t> want = {bos};
    want.insert(want.end(), c.cl100k.begin(), c.cl100k.end());
    CHECK(back->encode(c.text, c.allow_special) == want);
  }
  // Without add_bos nothing is written; a bad value or no bos token is refused.
  CHECK_FALSE(test::cl100k_tokenizer().to_json().find("add_bos"));
  j.set("add_bos", "yes");
  CHECK_THROWS_WITH(BpeTokenizer::from_json(j), Catch::Contains("\"add_bos\" must be true or false"));
  Json k = test::cl100k_tokenizer().to_json();
  k.set("add_bos", true);
  CHECK_THROWS_WITH(BpeTokenizer::from_json(k), Catch::Contains("names no bos token"));
  auto no_bos = BpeTokenizer::from_json(test::cl100k_tokenizer().to_json());
  CHECK_THROWS_AS(no_bos->set_add_bos(true), Error);
  Json bad_rule = test::cl100k_tokenizer().to_json();
  bad_rule.set("pretokenizer", "llama-bpe");
  CHECK_THROWS_WITH(BpeTokenizer::from_json(bad_rule), Catch::Contains("\"gpt2\", \"llama3\""));
}
