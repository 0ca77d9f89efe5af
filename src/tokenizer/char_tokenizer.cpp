// char_tokenizer.cpp: see char_tokenizer.h.
#include "tokenizer/char_tokenizer.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"
#include "tokenizer/tokenizer_json.h"
#include "core/utf8.h"

namespace sllm {

namespace {
const char* const kSpecialNames[4] = {kPadToken, kUnkToken, kBosToken, kEosToken};

std::string describe_char(uint32_t cp) {
  char buf[48];
  std::string ch;
  utf8_append(ch, cp);
  if (cp < 0x20 || cp == 0x7F) ch = "?";
  std::snprintf(buf, sizeof buf, "'%s' (U+%04X)", ch.c_str(), unsigned(cp));
  return buf;
}
}  // namespace

std::unique_ptr<CharTokenizer> CharTokenizer::train(std::string_view text, const CharTokenizerOptions& opts) {
  if (text.empty()) fail(ErrorCode::Data, "cannot build a character vocabulary from empty text");
  std::vector<uint32_t> cps = utf8_decode(text);
  std::sort(cps.begin(), cps.end());
  cps.erase(std::unique(cps.begin(), cps.end()), cps.end());
  auto tok = std::unique_ptr<CharTokenizer>(new CharTokenizer());
  const bool want[4] = {opts.pad, opts.unk, opts.bos, opts.eos};
  for (int i = 0; i < 4; ++i)
    if (want[i]) tok->tokens_.push_back(kSpecialNames[i]);
  for (uint32_t cp : cps) {
    std::string s;
    utf8_append(s, cp);
    tok->tokens_.push_back(s);
  }
  tok->index();
  return tok;
}

void CharTokenizer::index() {
  cp_to_id_.clear();
  ascii_.assign(128, -1);
  special_ = SpecialTokens{};
  int32_t* slots[4] = {&special_.pad, &special_.unk, &special_.bos, &special_.eos};
  for (int32_t id = 0; id < int32_t(tokens_.size()); ++id) {
    const std::string& t = tokens_[id];
    bool is_special = false;
    for (int k = 0; k < 4; ++k)
      if (t == kSpecialNames[k]) {
        if (*slots[k] >= 0) fail(ErrorCode::Format, "char tokenizer lists " + t + " twice");
        *slots[k] = id;
        is_special = true;
      }
    if (is_special) continue;
    size_t i = 0;
    uint32_t cp = t.empty() ? 0 : utf8_next(t, i);
    if (t.empty() || i != t.size() || (cp == kReplacementChar && t != "\xEF\xBF\xBD"))
      fail(ErrorCode::Format, "char tokenizer entry " + std::to_string(id) + " is not a single character");
    if (!cp_to_id_.emplace(cp, id).second)
      fail(ErrorCode::Format, "char tokenizer lists " + describe_char(cp) + " twice");
    if (cp < 128) ascii_[cp] = id;
  }
}

std::vector<int32_t> CharTokenizer::encode(std::string_view text, bool allow_special) const {
  std::vector<int32_t> ids;
  ids.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (allow_special && text[i] == '[') {
      const int32_t specials[4] = {special_.pad, special_.unk, special_.bos, special_.eos};
      bool matched = false;
      for (int k = 0; k < 4 && !matched; ++k) {
        std::string_view name = kSpecialNames[k];
        if (specials[k] >= 0 && text.substr(i, name.size()) == name) {
          ids.push_back(specials[k]);
          i += name.size();
          matched = true;
        }
      }
      if (matched) continue;
    }
    auto b = static_cast<unsigned char>(text[i]);
    int32_t id;
    uint32_t cp;
    if (b < 128) {
      cp = b;
      id = ascii_[b];
      ++i;
    } else {
      cp = utf8_next(text, i);
      auto it = cp_to_id_.find(cp);
      id = it == cp_to_id_.end() ? -1 : it->second;
    }
    if (id < 0) {
      if (special_.unk < 0)
        fail(ErrorCode::Tokenizer, "the character " + describe_char(cp) +
                                       " is not in this tokenizer's vocabulary of " +
                                       std::to_string(tokens_.size()) +
                                       " tokens; use text made of the characters it was trained on, or "
                                       "build the vocabulary with an [UNK] token");
      id = special_.unk;
    }
    ids.push_back(id);
  }
  return ids;
}

std::string CharTokenizer::token_bytes(int32_t id) const {
  if (id < 0 || id >= vocab_size())
    fail(ErrorCode::InvalidArgument, "token id " + std::to_string(id) + " is outside the vocabulary of " +
                                         std::to_string(vocab_size()));
  if (id == special_.unk) return "\xEF\xBF\xBD";
  if (id == special_.pad || id == special_.bos || id == special_.eos) return "";
  return tokens_[id];
}

std::string CharTokenizer::token_string(int32_t id) const {
  if (id < 0 || id >= vocab_size())
    fail(ErrorCode::InvalidArgument, "token id " + std::to_string(id) + " is outside the vocabulary of " +
                                         std::to_string(vocab_size()));
  return tokens_[id];
}

int32_t CharTokenizer::token_id(std::string_view s) const {
  for (int32_t id = 0; id < vocab_size(); ++id)
    if (tokens_[id] == s) return id;
  return -1;
}

Json CharTokenizer::to_json() const {
  Json j = Json::object();
  j.set("type", "char");
  Json toks = Json::array();
  for (auto& t : tokens_) toks.push(t);
  j.set("tokens", std::move(toks));
  j.set("special", special_.to_json());
  return j;
}

std::unique_ptr<CharTokenizer> CharTokenizer::from_json(const Json& j) {
  return from_source(JsonTokenizerSource(j));
}

std::unique_ptr<CharTokenizer> CharTokenizer::from_source(const TokenizerSource& src) {
  const Json& j = src.object();
  const int64_t n = src.count("tokens", "char tokenizer");
  if (n <= 0) fail(ErrorCode::Format, "char tokenizer \"tokens\" must be a non-empty array of strings");
  auto tok = std::unique_ptr<CharTokenizer>(new CharTokenizer());
  tok->tokens_.reserve(size_t(n));
  src.strings("tokens", "char tokenizer", [&](size_t, std::string&& t) { tok->tokens_.push_back(std::move(t)); });
  tok->index();
  // The special table must agree with the entries' names.
  const Json* sp = j.find("special");
  if (sp) {
    SpecialTokens s = SpecialTokens::from_json(*sp, tok->vocab_size());
    const SpecialTokens& mine = tok->special_;
    if (s.pad != mine.pad || s.unk != mine.unk || s.bos != mine.bos || s.eos != mine.eos)
      fail(ErrorCode::Format, "char tokenizer \"special\" does not match its [PAD]/[UNK]/[BOS]/[EOS] entries");
  }
  return tok;
}

}  // namespace sllm
