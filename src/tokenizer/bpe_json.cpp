// bpe_json.cpp: the `tokenizer` member of an SLLM file for byte-level BPE:
//   {"type": "bpe", "pretokenizer": "gpt2",
//    "tokens": [...],    every token in id order: ordinary tokens as GPT-2 byte-level strings
//                        (as in encoder.json), special tokens as their own text
//    "merges": [...],    "left right" in rank order, both as token strings (as in vocab.bpe)
//    "specials": [...],  ids of all special tokens, ascending
//    "special": {...}}   the named ones: bos, eos, pad, unk (each also in "specials")
// from_json reads untrusted files, so every rule index() checks is a Format error here too.
#include <algorithm>

#include "core/error.h"
#include "tokenizer/tokenizer_util.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/byte_level.h"

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
  return j;
}

std::unique_ptr<BpeTokenizer> BpeTokenizer::from_json(const Json& j) {
  if (!j.is_object()) fail(ErrorCode::Format, "bpe tokenizer must be an object");
  auto tok = std::unique_ptr<BpeTokenizer>(new BpeTokenizer());
  tok->rule_ = read_pretokenizer(j, "bpe");

  const Json* toks = j.find("tokens");
  if (!toks || !toks->is_array() || toks->size() == 0)
    fail(ErrorCode::Format, "bpe tokenizer \"tokens\" must be a non-empty array of strings");
  const size_t V = toks->size();
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
  for (size_t id = 0; id < V; ++id) {
    const Json& t = toks->items()[id];
    if (!t.is_string()) fail(ErrorCode::Format, "bpe tokenizer \"tokens\" must hold only strings");
    if (tok->special_flag_[id])
      tok->bytes_[id] = t.as_string();
    else if (!byte_level_decode(t.as_string(), tok->bytes_[id]))
      fail(ErrorCode::Format, "bpe token " + std::to_string(id) + " is not a byte-level token string");
  }

  const Json* merges = j.find("merges");
  if (!merges || !merges->is_array()) fail(ErrorCode::Format, "bpe tokenizer \"merges\" must be an array of \"left right\" strings");
  std::unordered_map<std::string, int32_t> ids;
  ids.reserve(V);
  for (size_t id = 0; id < V; ++id)
    if (!tok->special_flag_[id]) ids.emplace(toks->items()[id].as_string(), int32_t(id));
  tok->merges_.reserve(merges->size());
  for (const Json& m : merges->items()) {
    const std::string where = "bpe merge " + std::to_string(tok->merges_.size());
    if (!m.is_string()) fail(ErrorCode::Format, where + " is not a string");
    const std::string& s = m.as_string();
    size_t sp = s.find(' ');
    if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
      fail(ErrorCode::Format, where + " must be two token strings separated by one space");
    auto a = ids.find(s.substr(0, sp)), b = ids.find(s.substr(sp + 1));
    if (a == ids.end() || b == ids.end()) fail(ErrorCode::Format, where + " \"" + s + "\" refers to a token that is not in the vocabulary");
    tok->merges_.emplace_back(a->second, b->second);
  }

  const Json* sp = j.find("special");
  if (sp) tok->special_ = SpecialTokens::from_json(*sp, int32_t(V));
  const std::pair<const char*, int32_t> named[4] = {
      {"pad", tok->special_.pad}, {"unk", tok->special_.unk}, {"bos", tok->special_.bos}, {"eos", tok->special_.eos}};
  for (auto [name, id] : named)
    if (id >= 0 && !tok->special_flag_[id])
      fail(ErrorCode::Format, std::string("bpe tokenizer special \"") + name + "\" is not one of the \"specials\"");
  tok->index();
  return tok;
}

}  // namespace sllm
