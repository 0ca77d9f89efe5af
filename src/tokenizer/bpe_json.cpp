// bpe_json.cpp: the `tokenizer` member of an SLLM file for byte-level BPE:
//   {"type": "bpe", "pretokenizer": "gpt2",
//    "tokens": [...],    every token in id order: ordinary tokens as GPT-2 byte-level strings
//                        (as in encoder.json), special tokens as their own text
//    "merges": [...],    "left right" in rank order, both as token strings (as in vocab.bpe)
//    "specials": [...],  ids of all special tokens, ascending
//    "special": {...},   the named ones: bos, eos, pad, unk (each also in "specials")
//    "add_bos": true,    optional (written only when set): encodings start with bos
//    "merge_rule": "hf"} optional (written only when not "tiktoken"): see BpeMergeRule
// from_json reads untrusted files, so every rule index() checks is a Format error here too.
#include <algorithm>

#include "core/error.h"
#include "tokenizer/tokenizer_util.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/tokenizer_json.h"

namespace sllm {

Json BpeTokenizer::to_json() const {
  Json j = Json::object();
  j.set("type", "bpe");
  j.set("pretokenizer", pretokenizer_name(rule_));
  Json toks = Json::array();
  toks.items().reserve(bytes_.size());
  for (int32_t id = 0; id < vocab_size(); ++id) toks.push(token_string(id));
  j.set("tokens", std::move(toks));
  Json merges = Json::array();
  merges.items().reserve(merges_.size());
  for (auto [a, b] : merges_) merges.push(byte_level_encode(bytes_[a]) + " " + byte_level_encode(bytes_[b]));
  j.set("merges", std::move(merges));
  Json specials = Json::array();
  for (int32_t id : special_ids_) specials.push(id);
  j.set("specials", std::move(specials));
  j.set("special", special_.to_json());
  if (add_bos_) j.set("add_bos", true);
  if (merge_rule_ != BpeMergeRule::Tiktoken) j.set("merge_rule", merge_rule_name(merge_rule_));
  return j;
}

std::unique_ptr<BpeTokenizer> BpeTokenizer::from_json(const Json& j) { return from_source(JsonTokenizerSource(j)); }

std::unique_ptr<BpeTokenizer> BpeTokenizer::from_source(const TokenizerSource& src) {
  const Json& j = src.object();
  if (!j.is_object()) fail(ErrorCode::Format, "bpe tokenizer must be an object");
  auto tok = std::unique_ptr<BpeTokenizer>(new BpeTokenizer());
  tok->rule_ = read_pretokenizer(j, "bpe");
  if (const Json* mr = j.find("merge_rule"))
    if (!mr->is_string() || !parse_merge_rule(mr->as_string(), tok->merge_rule_))
      fail(ErrorCode::Format, "bpe tokenizer \"merge_rule\" must be \"tiktoken\", \"hf\" or \"hf_ignore_merges\"");

  const int64_t n = src.count("tokens", "bpe tokenizer");
  if (n <= 0) fail(ErrorCode::Format, "bpe tokenizer \"tokens\" must be a non-empty array of strings");
  const size_t V = size_t(n);
  if (V >= size_t(1) << 24) fail(ErrorCode::Format, "bpe tokenizer has too many tokens");
  tok->special_flag_.assign(V, 0);
  const Json* specials = j.find("specials");
  if (specials) {
    if (!specials->is_array()) fail(ErrorCode::Format, "bpe tokenizer \"specials\" must be an array of token ids");
    for (const Json& s : specials->items()) {
      double d = s.is_number() ? s.as_number() : -1;
      if (d < 0 || d >= double(V) || d != double(int64_t(d)))
        fail(ErrorCode::Format, "bpe tokenizer \"specials\" holds something that is not a token id");
      if (tok->special_flag_[size_t(d)]) fail(ErrorCode::Format, "bpe tokenizer \"specials\" lists id " + std::to_string(int64_t(d)) + " twice");
      tok->special_flag_[size_t(d)] = 1;
    }
  }
  tok->bytes_.resize(V);
  src.strings("tokens", "bpe tokenizer", [&](size_t id, std::string&& t) {
    if (tok->special_flag_[id])
      tok->bytes_[id] = std::move(t);
    else if (!byte_level_decode(t, tok->bytes_[id]))
      fail(ErrorCode::Format, "bpe token " + std::to_string(id) + " is not a byte-level token string");
  });

  const int64_t n_merges = src.count("merges", "bpe tokenizer");
  if (n_merges < 0) fail(ErrorCode::Format, "bpe tokenizer \"merges\" must be an array of \"left right\" strings");
  // tiktoken's rule: each merge makes a token of its own; Hugging Face's: each token has at
  // most one merge per split point.
  const size_t max_merges = tok->merge_rule_ == BpeMergeRule::Tiktoken ? V - 1 : V * (kMaxTokenBytes - 1);
  if (size_t(n_merges) > max_merges)
    fail(ErrorCode::Format, "bpe tokenizer has " + std::to_string(n_merges) + " merges but only " + std::to_string(V) + " tokens");
  // Each side of a merge names an ordinary token by its byte-level string: found by its bytes
  // in the ordinary ids sorted by bytes (the lowest id when a token appears twice).
  std::vector<int32_t> by_bytes;
  by_bytes.reserve(V);
  for (size_t id = 0; id < V; ++id)
    if (!tok->special_flag_[id]) by_bytes.push_back(int32_t(id));
  const auto& bytes = tok->bytes_;
  std::stable_sort(by_bytes.begin(), by_bytes.end(), [&](int32_t a, int32_t b) { return bytes[a] < bytes[b]; });
  std::string side;
  auto find = [&](std::string_view encoded, int32_t& id) {
    side.clear();
    if (!byte_level_decode(encoded, side)) return false;
    auto it = std::lower_bound(by_bytes.begin(), by_bytes.end(), side,
                               [&](int32_t a, const std::string& s) { return bytes[a] < s; });
    if (it == by_bytes.end() || bytes[*it] != side) return false;
    id = *it;
    return true;
  };
  tok->merges_.reserve(size_t(n_merges));
  src.strings("merges", "bpe tokenizer", [&](size_t i, std::string&& s) {
    const std::string where = "bpe merge " + std::to_string(i);
    size_t sp = s.find(' ');
    if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
      fail(ErrorCode::Format, where + " must be two token strings separated by one space");
    int32_t a, b;
    if (!find(std::string_view(s).substr(0, sp), a) || !find(std::string_view(s).substr(sp + 1), b))
      fail(ErrorCode::Format, where + " \"" + s + "\" refers to a token that is not in the vocabulary");
    tok->merges_.emplace_back(a, b);
  });

  const Json* sp = j.find("special");
  if (sp) tok->special_ = SpecialTokens::from_json(*sp, int32_t(V));
  const std::pair<const char*, int32_t> named[4] = {
      {"pad", tok->special_.pad}, {"unk", tok->special_.unk}, {"bos", tok->special_.bos}, {"eos", tok->special_.eos}};
  for (auto [name, id] : named)
    if (id >= 0 && !tok->special_flag_[id])
      fail(ErrorCode::Format, std::string("bpe tokenizer special \"") + name + "\" is not one of the \"specials\"");
  if (const Json* ab = j.find("add_bos")) {
    if (!ab->is_bool()) fail(ErrorCode::Format, "bpe tokenizer \"add_bos\" must be true or false");
    if (ab->as_bool() && tok->special_.bos < 0)
      fail(ErrorCode::Format, "bpe tokenizer \"add_bos\" is true but \"special\" names no bos token");
    tok->add_bos_ = ab->as_bool();
  }
  tok->index();
  return tok;
}

}  // namespace sllm
