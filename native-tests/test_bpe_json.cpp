// test_bpe_json.cpp: the SLLM `tokenizer` member for BPE and word tokenizers: JSON round trips
// give identical encodings, and corrupted JSON is rejected with Error(Format).
#include <catch2/catch.hpp>

#include <functional>

#include "core/error.h"
#include "tokenizer/char_tokenizer.h"
#include "tokenizer/word_tokenizer.h"
#include "tokenizer_test_util.h"

using namespace sllm;

namespace {

std::unique_ptr<Tokenizer> reload(const Tokenizer& tok) {
  return Tokenizer::from_json(Json::parse(tok.to_json().dump()));
}

void check_same_encodings(const Tokenizer& a, const Tokenizer& b) {
  REQUIRE(a.type() == b.type());
  REQUIRE(a.vocab_size() == b.vocab_size());
  for (const auto& c : test::tokenizer_cases()) {
    INFO("case: " << c.name);
    CHECK(a.encode(c.text, c.allow_special) == b.encode(c.text, c.allow_special));
  }
  CHECK(a.encode(test::shakespeare()) == b.encode(test::shakespeare()));
  for (int32_t id = 0; id < a.vocab_size(); id += 7) CHECK(a.token_string(id) == b.token_string(id));
  CHECK(a.to_json().dump() == b.to_json().dump());
}

// Expects from_json of the mutated JSON to throw Error(Format).
void expect_format_error(const Json& base, const std::function<void(Json&)>& mutate, const char* what) {
  INFO("corruption: " << what);
  Json j = base;
  mutate(j);
  try {
    Tokenizer::from_json(j);
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::Format);
  }
}

Json& member(Json& j, const char* key) {
  for (auto& m : j.members())
    if (m.first == key) return m.second;
  FAIL("no member " << key);
  return j;
}

}  // namespace

TEST_CASE("BPE JSON round trip gives identical encodings", "[bpe][json]") {
  const BpeTokenizer& tok = test::trained_bpe();
  Json j = tok.to_json();
  CHECK(j.get_string("type") == "bpe");
  CHECK(j.get_string("pretokenizer") == "gpt2");
  CHECK(j.get("merges", Json::Type::Array).size() == size_t(tok.num_merges()));
  check_same_encodings(tok, *reload(tok));
  const BpeTokenizer* g = test::gpt2_tokenizer();
  INFO(test::kNoGpt2);
  REQUIRE(g);
  std::string dump = g->to_json().dump();
  CHECK(dump.size() < 3u * 1024 * 1024);
  check_same_encodings(*g, *Tokenizer::from_json(Json::parse(dump)));
}

TEST_CASE("word and char JSON round trips give identical encodings", "[word][json]") {
  WordTokenizerOptions o;
  o.vocab_size = 3000;
  o.bos = o.eos = true;
  auto word = WordTokenizer::train(test::shakespeare(), o);
  check_same_encodings(*word, *reload(*word));
  CharTokenizerOptions co;
  co.unk = co.eos = true;
  auto chars = CharTokenizer::train(test::shakespeare(), co);
  check_same_encodings(*chars, *reload(*chars));
}

TEST_CASE("corrupted BPE JSON is rejected with Error(Format)", "[bpe][json]") {
  BpeTrainOptions o;
  o.vocab_size = 300;
  o.eos = true;
  auto tok = BpeTokenizer::train(test::shakespeare().substr(0, 50000), o);
  const Json base = tok->to_json();
  REQUIRE_NOTHROW(Tokenizer::from_json(base));
  auto toks = [](Json& j) -> std::vector<Json>& { return member(j, "tokens").items(); };
  auto merges = [](Json& j) -> std::vector<Json>& { return member(j, "merges").items(); };
  const std::string first_merge = base.get("merges", Json::Type::Array).items()[0].as_string();

  expect_format_error(base, [](Json& j) { member(j, "type") = Json("bpx"); }, "unknown type");
  expect_format_error(base, [](Json& j) { member(j, "pretokenizer") = Json("gpt4"); }, "unknown pre-tokenizer");
  expect_format_error(base, [](Json& j) { member(j, "tokens") = Json(3); }, "tokens not an array");
  expect_format_error(base, [&](Json& j) { toks(j)[10] = Json(5); }, "token not a string");
  expect_format_error(base, [&](Json& j) { toks(j)[10] = toks(j)[11]; }, "duplicate token");
  expect_format_error(base, [&](Json& j) { toks(j)[10] = Json(" x"); }, "token not a byte-level string");
  expect_format_error(base, [&](Json& j) { toks(j)[10] = Json(""); }, "empty token");
  expect_format_error(base, [&](Json& j) { toks(j).push_back(Json(std::string(300, 'A'))); }, "token too long");
  expect_format_error(base, [&](Json& j) { toks(j).pop_back(); }, "merge makes a missing token");
  expect_format_error(base, [&](Json& j) { toks(j).push_back(Json("\xC4\xA0zqx")); }, "token made by no merge");
  expect_format_error(base, [&](Json& j) { merges(j)[0] = Json("nosuch \xC4\xA0"); }, "merge of an unknown token");
  expect_format_error(base, [&](Json& j) { merges(j)[0] = Json("a  b"); }, "merge with two spaces");
  expect_format_error(base, [&](Json& j) { merges(j)[0] = Json(7); }, "merge not a string");
  expect_format_error(base, [&](Json& j) { merges(j).push_back(Json(first_merge)); }, "duplicate merge");
  expect_format_error(base, [&](Json& j) { std::swap(merges(j)[0], merges(j).back()); }, "merge uses a later token");
  expect_format_error(base, [&](Json& j) { merges(j).pop_back(); }, "merge missing");
  expect_format_error(base, [](Json& j) { member(j, "merges") = Json::object(); }, "merges not an array");
  expect_format_error(base, [](Json& j) { member(j, "specials").push(Json(1e9)); }, "special id out of range");
  expect_format_error(base, [](Json& j) { member(j, "specials").push(Json(-1)); }, "negative special id");
  expect_format_error(base, [](Json& j) { member(j, "specials").push(Json(0)); }, "special listed twice");
  expect_format_error(base, [](Json& j) { member(j, "specials").push(Json(0.5)); }, "fractional special id");
  expect_format_error(base, [](Json& j) { member(j, "specials") = Json("0"); }, "specials not an array");
  expect_format_error(base, [](Json& j) { member(j, "special").set("eos", Json(100)); }, "named special not special");
  expect_format_error(base, [](Json& j) { member(j, "special").set("bos", Json(400)); }, "named special out of range");
  expect_format_error(base, [](Json& j) { member(j, "special") = Json(1); }, "special not an object");
  expect_format_error(base, [&](Json& j) {
    auto& t = toks(j);
    for (auto& x : t)
      if (x.as_string() == "A") x = Json("\xC4\xA0\xC4\xA0\xC4\xA0\xC4\xA0\xC4\xA0\xC4\xA0");
  }, "missing byte token");
  expect_format_error(base, [&](Json& j) { member(j, "specials").push(Json(5 + 'A')); }, "merge uses a special token");
}

TEST_CASE("corrupted word and char JSON is rejected with Error(Format)", "[word][json]") {
  WordTokenizerOptions o;
  o.vocab_size = 200;
  auto tok = WordTokenizer::train(test::shakespeare().substr(0, 20000), o);
  const Json base = tok->to_json();
  REQUIRE_NOTHROW(Tokenizer::from_json(base));
  auto toks = [](Json& j) -> std::vector<Json>& { return member(j, "tokens").items(); };
  expect_format_error(base, [&](Json& j) { toks(j)[5] = toks(j)[6]; }, "duplicate word");
  expect_format_error(base, [&](Json& j) { toks(j)[5] = Json("two words"); }, "not a single piece");
  expect_format_error(base, [&](Json& j) { toks(j)[5] = Json(""); }, "empty word");
  expect_format_error(base, [&](Json& j) { toks(j)[5] = Json(false); }, "word not a string");
  expect_format_error(base, [&](Json& j) { toks(j)[0] = Json("zzzqqq"); }, "no [UNK]");
  expect_format_error(base, [](Json& j) { member(j, "special").set("unk", Json(9)); }, "special table mismatch");
  expect_format_error(base, [](Json& j) { member(j, "pretokenizer") = Json(1); }, "pre-tokenizer not a string");
  expect_format_error(base, [](Json& j) { member(j, "tokens") = Json::array(); }, "empty vocabulary");
  Json c = CharTokenizer::train("abc")->to_json();
  expect_format_error(c, [&](Json& j) { toks(j)[1] = Json("a"); }, "char duplicate");
}
