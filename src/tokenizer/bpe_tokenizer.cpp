// bpe_tokenizer.cpp: validation and indexing of a BPE vocabulary, encoding (pre-tokenize,
// look the piece up, else merge by rank) and the per-token accessors. Training is in
// bpe_trainer.cpp, JSON in bpe_json.cpp, the GPT-2 and tiktoken loaders in bpe_load.cpp.
#include "tokenizer/bpe_tokenizer.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"
#include "core/utf8.h"
#include "tokenizer/bpe_merge.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/tokenizer_util.h"

namespace sllm {

namespace {
constexpr size_t kMaxCached = 256;   // longer pieces are not cached

// A token string for an error message, shortened at a character boundary.
std::string quoted(const std::string& display) {
  if (display.size() <= 40) return "\"" + display + "\"";
  size_t cut = 40;
  while (cut > 0 && (static_cast<unsigned char>(display[cut]) & 0xC0) == 0x80) --cut;
  return "\"" + display.substr(0, cut) + "...\"";
}
}  // namespace

void BpeTokenizer::index() {
  const size_t V = bytes_.size();
  if (V == 0 || V > kMaxVocabIds)
    fail(ErrorCode::Format, "bpe tokenizer must have between 1 and " + std::to_string(kMaxVocabIds) + " tokens");
  if (special_flag_.size() != V) fail(ErrorCode::Internal, "bpe tokenizer special flags out of step");
  rank_.assign(V, -1);
  std::fill(std::begin(byte_id_), std::end(byte_id_), -1);
  vocab_.clear();
  pairs_.clear();
  by_string_.clear();
  special_ids_.clear();
  special_match_.clear();
  cache_.clear();
  for (size_t id = 0; id < V; ++id) {
    const std::string& b = bytes_[id];
    if (special_flag_[id]) {
      if (b.empty() || !utf8_valid(b))
        fail(ErrorCode::Format, "bpe special token " + std::to_string(id) + " must be a non-empty UTF-8 string");
      special_ids_.push_back(int32_t(id));
      special_match_.emplace_back(b, int32_t(id));
      continue;
    }
    if (b.empty() || b.size() > kMaxTokenBytes)
      fail(ErrorCode::Format, "bpe token " + std::to_string(id) + " must have 1 to " + std::to_string(kMaxTokenBytes) + " bytes");
    uint64_t h = hash_bytes(b.data(), b.size());
    size_t n;
    if (const int32_t* other = vocab_.find(b, h, n))
      fail(ErrorCode::Format, "bpe vocabulary lists the token " + quoted(byte_level_encode(b)) + " twice (ids " +
                                  std::to_string(*other) + " and " + std::to_string(id) + ")");
    int32_t id32 = int32_t(id);
    vocab_.insert(b, h, &id32, 1);
    if (b.size() == 1) byte_id_[static_cast<unsigned char>(b[0])] = id32;
  }
  for (int b = 0; b < 256; ++b)
    if (byte_id_[b] < 0) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "bpe vocabulary lacks the token of byte 0x%02X; byte-level BPE needs all 256", b);
      fail(ErrorCode::Format, buf);
    }
  by_string_.reserve(V);
  for (size_t id = 0; id < V; ++id) {
    auto it = by_string_.emplace(token_string(int32_t(id)), int32_t(id));
    if (!it.second)
      fail(ErrorCode::Format, "bpe vocabulary has two tokens shown as " + quoted(it.first->first) + " (ids " +
                                  std::to_string(it.first->second) + " and " + std::to_string(id) + ")");
  }
  // Hugging Face's rule: each listed merge is a pair of its own (its parts need only exist);
  // tiktoken's: each token is made by one merge, from parts made before it.
  const bool hf = merge_rule_ != BpeMergeRule::Tiktoken;
  std::vector<int32_t> made(merges_.size());
  for (size_t r = 0; r < merges_.size(); ++r) {
    auto [a, b] = merges_[r];
    const std::string where = "bpe merge " + std::to_string(r);
    if (a < 0 || b < 0 || size_t(a) >= V || size_t(b) >= V) fail(ErrorCode::Format, where + " refers to a token id outside the vocabulary");
    if (special_flag_[a] || special_flag_[b]) fail(ErrorCode::Format, where + " uses a special token");
    if (!hf)
      for (int32_t part : {a, b})
        if (bytes_[part].size() > 1 && rank_[part] < 0)
          fail(ErrorCode::Format, where + " uses " + quoted(byte_level_encode(bytes_[part])) + " before a merge makes it");
    std::string cat = bytes_[a] + bytes_[b];
    size_t n;
    const int32_t* t = vocab_.find(cat, hash_bytes(cat.data(), cat.size()), n);
    if (!t) fail(ErrorCode::Format, where + " makes " + quoted(byte_level_encode(cat)) + ", which is not in the vocabulary");
    if (rank_[*t] >= 0 && !hf)
      fail(ErrorCode::Format, where + " makes " + quoted(byte_level_encode(cat)) + ", already made by merge " + std::to_string(rank_[*t]));
    if (rank_[*t] < 0) rank_[*t] = int32_t(r);
    made[r] = *t;
    if (hf && !pairs_.insert(a, b, int32_t(r), *t))
      fail(ErrorCode::Format, where + " repeats an earlier merge of " + quoted(byte_level_encode(bytes_[a])) + " and " +
                                  quoted(byte_level_encode(bytes_[b])));
  }
  if (!hf) {
    for (size_t id = 0; id < V; ++id)
      if (!special_flag_[id] && bytes_[id].size() > 1 && rank_[id] < 0)
        fail(ErrorCode::Format, "bpe token " + std::to_string(id) + " " + quoted(byte_level_encode(bytes_[id])) + " is made by no merge");
    // tiktoken semantics: any split of a token into two tokens merges into it at its rank.
    for (size_t r = 0; r < made.size(); ++r) {
      const std::string& t = bytes_[made[r]];
      for (size_t s = 1; s < t.size(); ++s) {
        size_t n;
        const int32_t* left = vocab_.find(std::string_view(t).substr(0, s), hash_bytes(t.data(), s), n);
        if (!left) continue;
        const int32_t* right = vocab_.find(std::string_view(t).substr(s), hash_bytes(t.data() + s, t.size() - s), n);
        if (right) pairs_.insert(*left, *right, int32_t(r), made[r]);
      }
    }
  }
  std::stable_sort(special_match_.begin(), special_match_.end(),
                   [](const auto& x, const auto& y) { return x.first.size() > y.first.size(); });
}

namespace {
constexpr std::pair<BpeMergeRule, const char*> kMergeRules[] = {
    {BpeMergeRule::Tiktoken, "tiktoken"}, {BpeMergeRule::Hf, "hf"}, {BpeMergeRule::HfIgnoreMerges, "hf_ignore_merges"}};
}  // namespace

const char* merge_rule_name(BpeMergeRule r) {
  for (const auto& [rule, name] : kMergeRules)
    if (rule == r) return name;
  return "tiktoken";
}

bool parse_merge_rule(std::string_view name, BpeMergeRule& out) {
  for (const auto& [rule, n] : kMergeRules)
    if (name == n) {
      out = rule;
      return true;
    }
  return false;
}

std::unique_ptr<BpeTokenizer> BpeTokenizer::from_parts(Parts p) {
  auto tok = std::unique_ptr<BpeTokenizer>(new BpeTokenizer());
  if (p.special_flag.size() != p.bytes.size()) fail(ErrorCode::Internal, "bpe parts out of step");
  tok->bytes_ = std::move(p.bytes);
  tok->special_flag_ = std::move(p.special_flag);
  tok->merges_ = std::move(p.merges);
  tok->set_special_tokens(p.special);
  tok->rule_ = p.rule;
  tok->merge_rule_ = p.merge_rule;
  tok->index();
  tok->set_add_bos(p.add_bos);
  return tok;
}

void BpeTokenizer::set_special_tokens(const SpecialTokens& s) {
  for (int32_t id : {s.pad, s.unk, s.bos, s.eos})
    if (id >= 0 && (size_t(id) >= bytes_.size() || !special_flag_[size_t(id)]))
      fail(ErrorCode::Format, "bpe special token id " + std::to_string(id) + " is not one of the special tokens");
  if (add_bos_ && s.bos < 0) fail(ErrorCode::Format, "add_bos needs a bos token");
  special_ = s;
}

void BpeTokenizer::pad_vocab(int32_t size) {
  if (size < vocab_size() || size_t(size) > kMaxVocabIds) fail(ErrorCode::InvalidArgument, "pad_vocab cannot shrink the vocabulary");
  const size_t old = bytes_.size();
  bytes_.resize(size_t(size));
  special_flag_.resize(size_t(size), 0);
  fill_unused_ids(bytes_, special_flag_, old);
  index();
}

void BpeTokenizer::set_cache_limit(size_t pieces) {
  cache_limit_ = pieces;
  cache_.clear();
}

void BpeTokenizer::set_add_bos(bool on) {
  if (on && special_.bos < 0)
    fail(ErrorCode::InvalidArgument, "add_bos needs a bos special token, and this vocabulary has none");
  add_bos_ = on;
}

std::vector<int32_t> BpeTokenizer::encode(std::string_view text, bool allow_special) const {
  if (!utf8_valid(text)) return encode(sanitize_utf8(text), allow_special);
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 8);
  if (add_bos_) out.push_back(special_.bos);
  if (!allow_special || special_match_.empty()) {
    encode_ordinary(text, out);
    return out;
  }
  encode_with_specials(text, out);
  if (add_bos_ && out.size() > 1 && out[1] == special_.bos) out.erase(out.begin());  // the text brought its own
  return out;
}

void BpeTokenizer::encode_with_specials(std::string_view text, std::vector<int32_t>& out) const {
  // Leftmost special occurrence first; on equal starts the longest string wins.
  const size_t k = special_match_.size();
  std::vector<size_t> next(k);
  for (size_t i = 0; i < k; ++i) next[i] = text.find(special_match_[i].first);
  for (size_t pos = 0;;) {
    size_t best = std::string_view::npos, which = 0;
    for (size_t i = 0; i < k; ++i) {
      if (next[i] != std::string_view::npos && next[i] < pos) next[i] = text.find(special_match_[i].first, pos);
      if (next[i] < best) best = next[i], which = i;
    }
    if (best == std::string_view::npos) {
      encode_ordinary(text.substr(pos), out);
      return;
    }
    encode_ordinary(text.substr(pos, best - pos), out);
    out.push_back(special_match_[which].second);
    pos = best + special_match_[which].first.size();
  }
}

void BpeTokenizer::encode_ordinary(std::string_view text, std::vector<int32_t>& out) const {
  for_each_piece(text, rule_, [&](std::string_view piece) { encode_piece(piece, out); });
}

void BpeTokenizer::encode_piece(std::string_view piece, std::vector<int32_t>& out) const {
  const size_t n = piece.size();
  if (n == 1) {
    out.push_back(byte_id_[static_cast<unsigned char>(piece[0])]);
    return;
  }
  const uint64_t h = hash_bytes(piece.data(), n);
  size_t k;
  if (merge_rule_ != BpeMergeRule::Hf)
    if (const int32_t* id = vocab_.find(piece, h, k)) {
      out.push_back(*id);
      return;
    }
  const bool cacheable = cache_limit_ > 0 && n <= kMaxCached;
  if (cacheable)
    if (const int32_t* ids = cache_.find(piece, h, k)) {
      out.insert(out.end(), ids, ids + k);
      return;
    }
  const size_t start = out.size();
  bpe_merge(byte_id_, pairs_, piece, out);
  if (cacheable) {
    if (cache_.size() >= cache_limit_) cache_.clear();
    cache_.insert(piece, h, out.data() + start, out.size() - start);
  }
}

std::string BpeTokenizer::token_bytes(int32_t id) const {
  check_token_id(id, vocab_size());
  if (special_flag_[id]) return id == special_.unk ? "\xEF\xBF\xBD" : "";
  return bytes_[id];
}

std::string BpeTokenizer::token_string(int32_t id) const {
  check_token_id(id, vocab_size());
  return special_flag_[id] ? bytes_[id] : byte_level_encode(bytes_[id]);
}

int32_t BpeTokenizer::token_id(std::string_view s) const {
  auto it = by_string_.find(std::string(s));
  return it == by_string_.end() ? -1 : it->second;
}

}  // namespace sllm
