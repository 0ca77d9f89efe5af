// word_tokenizer.cpp: see word_tokenizer.h. JSON layout:
//   {"type": "word", "pretokenizer": "gpt2", "tokens": [...], "special": {...}}
// with the special tokens named [PAD] [UNK] [BOS] [EOS] in "tokens" and their ids in "special".
#include "tokenizer/word_tokenizer.h"

#include <algorithm>
#include <unordered_map>

#include "core/error.h"
#include "tokenizer/tokenizer_json.h"
#include "tokenizer/tokenizer_util.h"
#include "core/utf8.h"

namespace sllm {

namespace {
const char* const kNames[4] = {kPadToken, kUnkToken, kBosToken, kEosToken};
}

std::unique_ptr<WordTokenizer> WordTokenizer::train(std::string_view text, const WordTokenizerOptions& opts) {
  if (text.empty()) fail(ErrorCode::Data, "cannot build a word vocabulary from empty text");
  auto tok = std::unique_ptr<WordTokenizer>(new WordTokenizer());
  const bool want[4] = {opts.pad, true, opts.bos, opts.eos};
  for (int k = 0; k < 4; ++k)
    if (want[k]) tok->tokens_.push_back(kNames[k]);
  const int32_t nspecial = int32_t(tok->tokens_.size());
  if (opts.vocab_size <= nspecial)
    fail(ErrorCode::InvalidArgument, "word vocab_size must exceed the " + std::to_string(nspecial) + " special tokens");
  const std::string clean = sanitize_utf8(text);
  std::unordered_map<std::string_view, int64_t> count;
  for_each_piece(clean, tok->rule_, [&](std::string_view p) { ++count[p]; });
  std::vector<std::pair<std::string_view, int64_t>> ranked(count.begin(), count.end());
  std::sort(ranked.begin(), ranked.end(),
            [](const auto& x, const auto& y) { return x.second != y.second ? x.second > y.second : x.first < y.first; });
  const size_t keep = std::min(ranked.size(), size_t(opts.vocab_size - nspecial));
  for (size_t i = 0; i < keep; ++i) tok->tokens_.emplace_back(ranked[i].first);
  tok->index();
  return tok;
}

void WordTokenizer::index() {
  if (tokens_.empty() || tokens_.size() >= (size_t(1) << 24))
    fail(ErrorCode::Format, "word tokenizer must have between 1 and 16777215 tokens");
  lookup_.clear();
  special_ = SpecialTokens{};
  int32_t* slots[4] = {&special_.pad, &special_.unk, &special_.bos, &special_.eos};
  for (int32_t id = 0; id < vocab_size(); ++id) {
    const std::string& t = tokens_[id];
    bool special = false;
    for (int k = 0; k < 4; ++k)
      if (t == kNames[k]) *slots[k] = id, special = true;
    if (!special) {
      if (t.empty() || !utf8_valid(t) || piece_end(rule_, t, 0) != t.size())
        fail(ErrorCode::Format, "word token " + std::to_string(id) + " is not a single word (pre-tokenizer piece)");
    }
    uint64_t h = hash_bytes(t.data(), t.size());
    size_t n;
    if (lookup_.find(t, h, n)) fail(ErrorCode::Format, "word tokenizer lists \"" + t + "\" twice");
    lookup_.insert(t, h, &id, 1);
  }
  if (special_.unk < 0) fail(ErrorCode::Format, "word tokenizer needs an [UNK] token");
}

bool WordTokenizer::is_special(int32_t id) const {
  return id == special_.pad || id == special_.unk || id == special_.bos || id == special_.eos;
}

std::vector<int32_t> WordTokenizer::encode(std::string_view text, bool allow_special) const {
  if (!utf8_valid(text)) return encode(sanitize_utf8(text), allow_special);
  std::vector<int32_t> out;
  out.reserve(text.size() / 4 + 8);
  if (!allow_special) {
    encode_ordinary(text, out);
    return out;
  }
  const int32_t ids[4] = {special_.pad, special_.unk, special_.bos, special_.eos};
  size_t pos = 0;
  for (;;) {
    size_t best = std::string_view::npos;
    int which = -1;
    for (int k = 0; k < 4; ++k) {
      if (ids[k] < 0) continue;
      size_t at = text.find(kNames[k], pos);
      if (at < best) best = at, which = k;
    }
    encode_ordinary(text.substr(pos, best == std::string_view::npos ? best : best - pos), out);
    if (which < 0) return out;
    out.push_back(ids[which]);
    pos = best + std::string_view(kNames[which]).size();
  }
}

void WordTokenizer::encode_ordinary(std::string_view text, std::vector<int32_t>& out) const {
  for_each_piece(text, rule_, [&](std::string_view p) {
    size_t n;
    const int32_t* id = lookup_.find(p, hash_bytes(p.data(), p.size()), n);
    out.push_back(id && !is_special(*id) ? *id : special_.unk);
  });
}

std::string WordTokenizer::token_bytes(int32_t id) const {
  check_token_id(id, vocab_size());
  if (id == special_.unk) return "\xEF\xBF\xBD";
  if (is_special(id)) return "";
  return tokens_[id];
}

std::string WordTokenizer::token_string(int32_t id) const {
  check_token_id(id, vocab_size());
  return tokens_[id];
}

int32_t WordTokenizer::token_id(std::string_view s) const {
  size_t n;
  const int32_t* id = s.empty() ? nullptr : lookup_.find(s, hash_bytes(s.data(), s.size()), n);
  return id ? *id : -1;
}

Json WordTokenizer::to_json() const {
  Json j = Json::object();
  j.set("type", "word");
  j.set("pretokenizer", pretokenizer_name(rule_));
  Json toks = Json::array();
  for (const auto& t : tokens_) toks.push(t);
  j.set("tokens", std::move(toks));
  j.set("special", special_.to_json());
  return j;
}

std::unique_ptr<WordTokenizer> WordTokenizer::from_json(const Json& j) {
  return from_source(JsonTokenizerSource(j));
}

std::unique_ptr<WordTokenizer> WordTokenizer::from_source(const TokenizerSource& src) {
  const Json& j = src.object();
  if (!j.is_object()) fail(ErrorCode::Format, "word tokenizer must be an object");
  auto tok = std::unique_ptr<WordTokenizer>(new WordTokenizer());
  tok->rule_ = read_pretokenizer(j, "word");
  const int64_t n = src.count("tokens", "word tokenizer");
  if (n <= 0) fail(ErrorCode::Format, "word tokenizer \"tokens\" must be a non-empty array of strings");
  tok->tokens_.reserve(size_t(n));
  src.strings("tokens", "word tokenizer", [&](size_t, std::string&& t) { tok->tokens_.push_back(std::move(t)); });
  tok->index();
  check_special_table(j, tok->special_, tok->vocab_size(), "word");
  return tok;
}

}  // namespace sllm
