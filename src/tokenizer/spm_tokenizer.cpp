// spm_tokenizer.cpp: SentencePiece-style BPE encoding and decoding exactly as llama.cpp's
// `llama` tokenizer model (see spm_tokenizer.h); the JSON form is in spm_json.cpp.
#include "tokenizer/spm_tokenizer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <queue>

#include "core/error.h"
#include "core/utf8.h"

namespace sllm {

namespace {

constexpr const char* kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's visible space

std::string escape_spaces(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  for (char c : s) {
    if (c == ' ')
      out += kSpace;
    else
      out += c;
  }
  return out;
}

std::string unescape_spaces(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 3, kSpace) == 0) {
      out += ' ';
      i += 3;
    } else {
      out += s[i++];
    }
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The byte of a "<0xXX>" token, or -1 when s is not one.
int byte_of(const std::string& s) {
  if (s.size() != 6 || s.compare(0, 3, "<0x") != 0 || s[5] != '>') return -1;
  int hi = hex_digit(s[3]), lo = hex_digit(s[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

// One symbol of a run being merged: a byte range of the text in a doubly linked list.
struct Symbol {
  int prev, next;
  size_t start, n;
};

// A candidate merge of two adjacent symbols. The queue's top is the highest score, and on equal
// scores the leftmost (llama.cpp's llm_bigram_spm comparator).
struct Bigram {
  int left, right;
  float score;
  size_t size;
};
struct BigramOrder {
  bool operator()(const Bigram& l, const Bigram& r) const {
    return l.score < r.score || (l.score == r.score && l.left > r.left);
  }
};

}  // namespace

std::unique_ptr<SpmTokenizer> SpmTokenizer::create(SpmVocab vocab) {
  auto tok = std::unique_ptr<SpmTokenizer>(new SpmTokenizer());
  tok->v_ = std::move(vocab);
  tok->index();
  return tok;
}

void SpmTokenizer::index() {
  const size_t V = v_.tokens.size();
  if (V == 0) fail(ErrorCode::Format, "spm tokenizer \"tokens\" must be a non-empty array of strings");
  if (V >= size_t(1) << 24) fail(ErrorCode::Format, "spm tokenizer has too many tokens");
  if (v_.scores.size() != V)
    fail(ErrorCode::Format, "spm tokenizer has " + std::to_string(v_.scores.size()) + " scores for " + std::to_string(V) + " tokens");
  if (v_.types.size() != V)
    fail(ErrorCode::Format, "spm tokenizer has " + std::to_string(v_.types.size()) + " token types for " + std::to_string(V) + " tokens");
  by_text_.clear();
  by_text_.reserve(V);
  always_split_.clear();
  special_split_.clear();
  for (size_t id = 0; id < V; ++id) {
    const std::string& t = v_.tokens[id];
    const std::string where = "spm token " + std::to_string(id);
    if (t.empty()) fail(ErrorCode::Format, where + " is empty");
    if (!utf8_valid(t)) fail(ErrorCode::Format, where + " is not valid UTF-8");
    if (!std::isfinite(v_.scores[id])) fail(ErrorCode::Format, where + " has a score that is not a finite number");
    const int32_t type = v_.types[id];
    if (type < 0 || type > 6) fail(ErrorCode::Format, where + " has unknown token type " + std::to_string(type));
    if (SpmTokenType(type) == SpmTokenType::Byte && byte_of(t) < 0)
      fail(ErrorCode::Format, where + " is a byte token but not of the form <0xXX>");
    if (!by_text_.emplace(t, int32_t(id)).second) fail(ErrorCode::Format, where + " repeats an earlier token's text");
    if (SpmTokenType(type) == SpmTokenType::UserDefined) always_split_.push_back(int32_t(id));
    if (SpmTokenType(type) == SpmTokenType::UserDefined || SpmTokenType(type) == SpmTokenType::Control ||
        SpmTokenType(type) == SpmTokenType::Unknown)
      special_split_.push_back(int32_t(id));
  }
  const SpecialTokens& s = v_.special;
  for (int32_t id : {s.pad, s.unk, s.bos, s.eos})
    if (id < -1 || id >= int32_t(V)) fail(ErrorCode::Format, "spm tokenizer special token id " + std::to_string(id) + " is outside the vocabulary");
  special_ = s;
  auto longest_first = [&](std::vector<int32_t>& ids) {
    std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) { return v_.tokens[a].size() > v_.tokens[b].size(); });
  };
  longest_first(always_split_);
  longest_first(special_split_);
  static const char hex[] = "0123456789ABCDEF";
  for (int b = 0; b < 256; ++b) {
    const char name[7] = {'<', '0', 'x', hex[b >> 4], hex[b & 15], '>', 0};
    int32_t id = find(name);
    byte_token_[b] = id >= 0 ? id : find(std::string(1, char(b)));
  }
}

int32_t SpmTokenizer::find(std::string_view s) const {
  auto it = by_text_.find(std::string(s));
  return it == by_text_.end() ? -1 : it->second;
}

std::vector<int32_t> SpmTokenizer::encode(std::string_view input, bool allow_special) const {
  std::string clean;
  if (!utf8_valid(input)) {
    clean = sanitize_utf8(input);
    input = clean;
  }
  // Split out special tokens (user-defined ones always, control and unknown ones when allowed):
  // each in turn, longest first, at every occurrence in the text not yet claimed.
  struct Fragment {
    int32_t token;  // -1 for raw text
    size_t off, len;
  };
  std::vector<Fragment> frags, next;
  if (!input.empty()) frags.push_back({-1, 0, input.size()});
  for (int32_t id : allow_special ? special_split_ : always_split_) {
    const std::string& s = v_.tokens[size_t(id)];
    next.clear();
    for (const Fragment& f : frags) {
      if (f.token >= 0) {
        next.push_back(f);
        continue;
      }
      size_t pos = f.off;
      const size_t end = f.off + f.len;
      for (size_t m; (m = input.substr(0, end).find(s, pos)) != std::string_view::npos; pos = m + s.size()) {
        if (m > pos) next.push_back({-1, pos, m - pos});
        next.push_back({id, m, s.size()});
      }
      if (pos < end) next.push_back({-1, pos, end - pos});
    }
    frags.swap(next);
  }
  std::vector<int32_t> out;
  bool after_special = true;  // the text's start counts as following a special token
  for (const Fragment& f : frags) {
    if (f.token >= 0) {
      out.push_back(f.token);
      after_special = true;
      continue;
    }
    std::string run = v_.add_space_prefix && after_special ? kSpace : "";
    run += escape_spaces(input.substr(f.off, f.len));
    encode_run(run, out);
    after_special = false;
  }
  return out;
}

void SpmTokenizer::encode_run(std::string_view text, std::vector<int32_t>& out) const {
  static const uint8_t kLen[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  std::vector<Symbol> sym;
  for (size_t off = 0; off < text.size();) {
    size_t n = std::min<size_t>(kLen[static_cast<unsigned char>(text[off]) >> 4], text.size() - off);
    const int i = int(sym.size());
    sym.push_back({i - 1, off + n == text.size() ? -1 : i + 1, off, n});
    off += n;
  }
  std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
  auto try_add = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    std::string_view s = text.substr(sym[size_t(left)].start, sym[size_t(left)].n + sym[size_t(right)].n);
    int32_t id = find(s);
    if (id >= 0) queue.push({left, right, v_.scores[size_t(id)], s.size()});
  };
  for (int i = 1; i < int(sym.size()); ++i) try_add(i - 1, i);
  while (!queue.empty()) {
    Bigram b = queue.top();
    queue.pop();
    Symbol& l = sym[size_t(b.left)];
    Symbol& r = sym[size_t(b.right)];
    if (l.n == 0 || r.n == 0 || l.n + r.n != b.size) continue;  // one side merged since
    l.n += r.n;
    r.n = 0;
    l.next = r.next;
    if (r.next >= 0) sym[size_t(r.next)].prev = b.left;
    try_add(l.prev, b.left);
    try_add(b.left, l.next);
  }
  for (int i = sym.empty() ? -1 : 0; i != -1; i = sym[size_t(i)].next) {
    std::string_view piece = text.substr(sym[size_t(i)].start, sym[size_t(i)].n);
    int32_t id = find(piece);
    if (id >= 0)
      out.push_back(id);
    else
      fallback(piece, out);
  }
}

void SpmTokenizer::fallback(std::string_view ch, std::vector<int32_t>& out) const {
  auto unk = [&]() -> int32_t {
    if (special_.unk >= 0) return special_.unk;
    size_t i = 0;
    uint32_t cp = utf8_next(ch, i);
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", unsigned(cp));
    fail(ErrorCode::Tokenizer, std::string("the character ") + buf + " is not in this tokenizer's vocabulary" +
                                   (v_.byte_fallback ? " and neither are its bytes" : "") +
                                   ", and it has no unknown token; use text made of characters it knows");
  };
  if (!v_.byte_fallback) {
    out.push_back(unk());
    return;
  }
  for (char c : ch) {
    int32_t id = byte_token_[static_cast<unsigned char>(c)];
    out.push_back(id >= 0 ? id : unk());
  }
}

std::string SpmTokenizer::token_bytes(int32_t id) const {
  if (id < 0 || id >= vocab_size())
    fail(ErrorCode::InvalidArgument, "token id " + std::to_string(id) + " is outside the vocabulary of " +
                                         std::to_string(vocab_size()));
  if (id == special_.unk) return "\xEF\xBF\xBD";
  const std::string& t = v_.tokens[size_t(id)];
  switch (token_type(id)) {
    case SpmTokenType::Normal: return unescape_spaces(t);
    case SpmTokenType::UserDefined: return t;
    case SpmTokenType::Byte: return std::string(1, char(byte_of(t)));
    case SpmTokenType::Unknown: return "\xEF\xBF\xBD";
    default: return "";  // control, unused and undefined tokens print nothing
  }
}

std::string SpmTokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string bytes;
  for (size_t i = 0; i < ids.size(); ++i) {
    std::string piece = token_bytes(ids[i]);
    // llama.cpp's detokenizer drops one leading space of the first token: the prefix's.
    if (i == 0 && v_.add_space_prefix && !piece.empty() && piece[0] == ' ') piece.erase(0, 1);
    bytes += piece;
  }
  return sanitize_utf8(bytes);
}

std::string SpmTokenizer::token_string(int32_t id) const {
  if (id < 0 || id >= vocab_size())
    fail(ErrorCode::InvalidArgument, "token id " + std::to_string(id) + " is outside the vocabulary of " +
                                         std::to_string(vocab_size()));
  return v_.tokens[size_t(id)];
}

int32_t SpmTokenizer::token_id(std::string_view s) const { return find(s); }

}  // namespace sllm
