// bpe_trainer.cpp: learning a byte-level BPE vocabulary from a corpus.
//
// The corpus is cut at special-token strings (so no merge ever spans or forms one), split into
// pieces by the pre-tokenizer and the unique pieces counted once. Each unique piece is a word
// of byte tokens with a count. Pair counts (weighted by word counts) and, for each pair, the
// list of words it occurs in are built once; each merge then rewrites only the words that hold
// the pair, updating the counts of the pairs around every occurrence, and pushes the new
// pairs onto a max-heap whose stale entries are re-checked when popped.
//
// Tie-breaking (deterministic, independent of hash-map order): the pair with the highest count
// wins; among equal counts the smaller left id, then the smaller right id. Occurrences within
// a word merge left to right, non-overlapping. When the winning pair's bytes already form a
// token (another split of it was merged earlier), the words are merged into that token and no
// entry is added, since encoding (tiktoken's rule) treats every split of a token alike. A pair
// whose bytes would pass kMaxTokenBytes is dropped for good.
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"
#include "core/utf8.h"
#include "tokenizer/bpe_tokenizer.h"

namespace sllm {

namespace {

struct Word {
  std::vector<int32_t> sym;
  int64_t count;
};

struct PairStat {
  int64_t count = 0;
  std::vector<int32_t> where;  // words holding the pair (maybe no longer), each once
};

struct HeapEntry {
  int64_t count;
  int32_t a, b;
  bool operator<(const HeapEntry& o) const {  // "lower priority than"
    if (count != o.count) return count < o.count;
    if (a != o.a) return a > o.a;
    return b > o.b;
  }
};

inline uint64_t pair_key(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }

}  // namespace

std::unique_ptr<BpeTokenizer> BpeTokenizer::train(std::string_view text, const BpeTrainOptions& opts) {
  if (text.empty()) fail(ErrorCode::Data, "cannot train a BPE vocabulary on empty text");
  std::vector<std::string> names;
  if (opts.pad) names.push_back(kPadToken);
  if (opts.unk) names.push_back(kUnkToken);
  if (opts.bos) names.push_back(kBosToken);
  if (opts.eos) names.push_back(kEosToken);
  for (const std::string& s : opts.extra_specials) {
    if (s.empty() || !utf8_valid(s)) fail(ErrorCode::InvalidArgument, "special tokens must be non-empty UTF-8 strings");
    for (const std::string& n : names)
      if (n == s) fail(ErrorCode::InvalidArgument, "the special token \"" + s + "\" is given twice");
    names.push_back(s);
  }
  const int32_t nspecial = int32_t(names.size());
  if (opts.vocab_size < nspecial + 256 || opts.vocab_size > (1 << 24))
    fail(ErrorCode::InvalidArgument, "BPE vocab_size must be at least 256 + the number of special tokens (" +
                                         std::to_string(256 + nspecial) + ") and at most 16777216");

  auto tok = std::unique_ptr<BpeTokenizer>(new BpeTokenizer());
  for (int32_t i = 0; i < nspecial; ++i) {
    tok->bytes_.push_back(names[i]);
    tok->special_flag_.push_back(1);
    const std::string& n = names[i];
    if (n == kPadToken) tok->special_.pad = i;
    if (n == kUnkToken) tok->special_.unk = i;
    if (n == kBosToken) tok->special_.bos = i;
    if (n == kEosToken) tok->special_.eos = i;
  }
  for (int b = 0; b < 256; ++b) {
    tok->bytes_.push_back(std::string(1, char(b)));
    tok->special_flag_.push_back(0);
  }
  tok->index();  // byte ids and special matching for the splitting below

  // Count the unique pieces of the text between special-token strings.
  const std::string clean = sanitize_utf8(text);
  std::unordered_map<std::string_view, int64_t> piece_count;
  auto count_pieces = [&](std::string_view seg) {
    for_each_piece(seg, tok->rule_, [&](std::string_view p) {
      if (p.size() > 1) ++piece_count[p];
    });
  };
  std::string_view rest = clean;
  while (!rest.empty()) {
    size_t best = std::string_view::npos, len = 0;
    for (const auto& [s, id] : tok->special_match_) {
      size_t at = rest.find(s);
      if (at < best) best = at, len = s.size();
    }
    count_pieces(rest.substr(0, best));
    if (best == std::string_view::npos) break;
    rest.remove_prefix(best + len);
  }

  std::vector<Word> words;
  words.reserve(piece_count.size());
  std::unordered_map<uint64_t, PairStat> pairs;
  for (const auto& [p, c] : piece_count) {
    Word w{{}, c};
    for (unsigned char ch : p) w.sym.push_back(tok->byte_id_[ch]);
    const int32_t wi = int32_t(words.size());
    for (size_t i = 0; i + 1 < w.sym.size(); ++i) {
      PairStat& ps = pairs[pair_key(w.sym[i], w.sym[i + 1])];
      ps.count += c;
      if (ps.where.empty() || ps.where.back() != wi) ps.where.push_back(wi);
    }
    words.push_back(std::move(w));
  }
  std::priority_queue<HeapEntry> heap;
  for (const auto& [k, ps] : pairs) heap.push({ps.count, int32_t(k >> 32), int32_t(uint32_t(k))});

  std::unordered_map<std::string, int32_t> id_of;  // bytes of every ordinary token -> id
  for (int32_t id = nspecial; id < nspecial + 256; ++id) id_of.emplace(tok->bytes_[id], id);

  const int total = opts.vocab_size - nspecial - 256;
  const int report_every = std::max(1, total / 100);
  int done = 0;
  std::vector<uint64_t> grown;       // pairs whose count rose during one merge
  std::unordered_set<uint64_t> too_long;  // pairs that would make a token over kMaxTokenBytes
  while (done < total && !heap.empty()) {
    HeapEntry e = heap.top();
    heap.pop();
    auto it = pairs.find(pair_key(e.a, e.b));
    if (it == pairs.end() || it->second.count <= 0) continue;
    if (it->second.count != e.count) {  // stale: requeue with the current count
      heap.push({it->second.count, e.a, e.b});
      continue;
    }
    const int32_t a = e.a, b = e.b;
    if (tok->bytes_[a].size() + tok->bytes_[b].size() > kMaxTokenBytes) {
      too_long.insert(it->first);
      pairs.erase(it);
      continue;
    }
    std::string cat = tok->bytes_[a] + tok->bytes_[b];
    int32_t c;
    auto known = id_of.find(cat);
    const bool added = known == id_of.end();
    if (!added) {
      c = known->second;
    } else {
      c = int32_t(tok->bytes_.size());
      tok->bytes_.push_back(cat);
      tok->special_flag_.push_back(0);
      tok->merges_.emplace_back(a, b);
      id_of.emplace(std::move(cat), c);
      ++done;
    }
    std::vector<int32_t> where = std::move(it->second.where);
    pairs.erase(it);
    grown.clear();
    for (int32_t wi : where) {
      std::vector<int32_t>& s = words[wi].sym;
      const int64_t f = words[wi].count;
      auto add = [&](int32_t x, int32_t y, int64_t d) {
        if (x == a && y == b) return;  // the merged pair itself is gone
        if (!too_long.empty() && too_long.count(pair_key(x, y))) return;
        PairStat& ps = pairs[pair_key(x, y)];
        ps.count += d;
        if (d > 0) {
          if (ps.where.empty() || ps.where.back() != wi) ps.where.push_back(wi);
          if (grown.empty() || grown.back() != pair_key(x, y)) grown.push_back(pair_key(x, y));
        }
      };
      size_t out = 0;
      const size_t L = s.size();
      for (size_t i = 0; i < L;) {
        if (i + 1 < L && s[i] == a && s[i + 1] == b) {
          if (out > 0) add(s[out - 1], a, -f), add(s[out - 1], c, f);
          if (i + 2 < L) add(b, s[i + 2], -f), add(c, s[i + 2], f);
          s[out++] = c;
          i += 2;
        } else {
          s[out++] = s[i++];
        }
      }
      s.resize(out);
    }
    for (uint64_t k : grown) {
      auto g = pairs.find(k);
      if (g != pairs.end() && g->second.count > 0) heap.push({g->second.count, int32_t(k >> 32), int32_t(uint32_t(k))});
    }
    if (opts.progress && added && done % report_every == 0 && done < total) opts.progress(done, total);
  }
  if (opts.progress) opts.progress(done, total);
  tok->index();
  return tok;
}

}  // namespace sllm
