// bpe_load.cpp: building a BpeTokenizer from published vocabularies: OpenAI's GPT-2 files
// (encoder.json: token string -> id; vocab.bpe: a "#version" line, then one "left right"
// merge per line in rank order) and tiktoken ranks files ("base64(bytes) rank" per line, as
// r50k_base.tiktoken), whose merges are recovered by merging each token's bytes with the
// lower ranks only, which must leave exactly two parts.
#include <algorithm>

#include "core/error.h"
#include "tokenizer/bpe_merge.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/byte_level.h"

namespace sllm {

namespace {

bool base64_decode(std::string_view s, std::string& out) {
  out.clear();
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char c : s) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') { ++pad; continue; }
    else return false;
    if (pad) return false;  // data after padding
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xFF);
    }
  }
  return (s.size() % 4) == 0 && pad <= 2;
}

// Calls f(line) for each line of text without its "\n" or "\r\n".
template <typename F>
void for_each_line(std::string_view text, F&& f) {
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f(line);
    pos = end + 1;
  }
}

}  // namespace

void BpeTokenizer::fill_unused_ids(std::vector<std::string>& bytes, std::vector<uint8_t>& special_flag, size_t from) {
  for (size_t id = from; id < bytes.size(); ++id)
    if (!special_flag[id] && bytes[id].empty()) {
      special_flag[id] = 1;
      bytes[id] = "[PAD" + std::to_string(id) + "]";
    }
}

std::unique_ptr<BpeTokenizer> BpeTokenizer::from_gpt2(std::string_view encoder_json, std::string_view vocab_bpe) {
  Json enc;
  try {
    enc = Json::parse(encoder_json);
  } catch (const Error& e) {
    fail(ErrorCode::Format, std::string("GPT-2 encoder.json is not valid JSON: ") + e.what());
  }
  if (!enc.is_object() || enc.size() == 0) fail(ErrorCode::Format, "GPT-2 encoder.json must be an object of token -> id");
  const size_t V = enc.size();
  auto tok = std::unique_ptr<BpeTokenizer>(new BpeTokenizer());
  tok->bytes_.resize(V);
  tok->special_flag_.assign(V, 0);
  std::vector<uint8_t> seen(V, 0);
  std::unordered_map<std::string, int32_t> ids;
  ids.reserve(V);
  for (const auto& [key, value] : enc.members()) {
    double d = value.is_number() ? value.as_number() : -1;
    if (d < 0 || d >= double(V) || d != double(int64_t(d)) || seen[size_t(d)])
      fail(ErrorCode::Format, "GPT-2 encoder.json gives \"" + key + "\" an id that is out of range or used twice");
    auto id = int32_t(d);
    seen[size_t(id)] = 1;
    ids.emplace(key, id);
    if (key == "<|endoftext|>") {
      tok->special_flag_[size_t(id)] = 1;
      tok->bytes_[size_t(id)] = key;
      tok->special_.eos = id;
    } else if (!byte_level_decode(key, tok->bytes_[size_t(id)])) {
      fail(ErrorCode::Format, "GPT-2 encoder.json has a token that is not a byte-level string: \"" + key + "\"");
    }
  }
  size_t line_no = 0;
  for_each_line(vocab_bpe, [&](std::string_view line) {
    ++line_no;
    if (line.empty() || (line_no == 1 && line.substr(0, 8) == "#version")) return;
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos || line.find(' ', sp + 1) != std::string_view::npos)
      fail(ErrorCode::Format, "GPT-2 vocab.bpe line " + std::to_string(line_no) + " is not \"left right\"");
    auto a = ids.find(std::string(line.substr(0, sp))), b = ids.find(std::string(line.substr(sp + 1)));
    if (a == ids.end() || b == ids.end())
      fail(ErrorCode::Format, "GPT-2 vocab.bpe line " + std::to_string(line_no) + " names a token missing from encoder.json");
    tok->merges_.emplace_back(a->second, b->second);
  });
  tok->index();
  return tok;
}

std::unique_ptr<BpeTokenizer> BpeTokenizer::from_tiktoken(std::string_view ranks_file,
                                                          const std::vector<std::pair<std::string, int32_t>>& specials,
                                                          std::string_view eos_name, std::string_view bos_name) {
  std::vector<std::string> by_rank;
  std::vector<uint8_t> have;
  size_t line_no = 0;
  for_each_line(ranks_file, [&](std::string_view line) {
    ++line_no;
    if (line.empty()) return;
    size_t sp = line.find(' ');
    std::string bytes;
    std::string_view num = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
    bool ok = !num.empty() && num.size() <= 8 && std::all_of(num.begin(), num.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!ok || !base64_decode(line.substr(0, sp), bytes) || bytes.empty() || bytes.size() > kMaxTokenBytes)
      fail(ErrorCode::Format, "tiktoken ranks line " + std::to_string(line_no) + " is not \"base64 rank\"");
    size_t rank = std::stoul(std::string(num));
    if (rank >= by_rank.size()) by_rank.resize(rank + 1), have.resize(rank + 1, 0);
    if (have[rank]) fail(ErrorCode::Format, "tiktoken ranks file uses rank " + std::to_string(rank) + " twice");
    have[rank] = 1;
    by_rank[rank] = std::move(bytes);
  });
  size_t V = by_rank.size();
  for (const auto& sp : specials) {
    if (sp.second < int32_t(have.size()) || size_t(sp.second) >= kMaxVocabIds)
      fail(ErrorCode::Format, "special token \"" + sp.first + "\" must take an id after the ranks (and below 2^24)");
    V = std::max(V, size_t(sp.second) + 1);
  }
  auto tok = std::unique_ptr<BpeTokenizer>(new BpeTokenizer());
  tok->bytes_ = std::move(by_rank);
  tok->bytes_.resize(V);
  tok->special_flag_.assign(V, 0);
  for (size_t r = 0; r < have.size(); ++r)
    if (!have[r]) fail(ErrorCode::Format, "tiktoken ranks file skips rank " + std::to_string(r) + "; ids must be contiguous");
  for (const auto& [name, id] : specials) {
    if (tok->special_flag_[size_t(id)]) fail(ErrorCode::Format, "special token \"" + name + "\" takes an id used twice");
    tok->special_flag_[size_t(id)] = 1;
    tok->bytes_[size_t(id)] = name;
    if (name == eos_name) tok->special_.eos = id;
    if (name == bos_name) tok->special_.bos = id;
  }
  fill_unused_ids(tok->bytes_, tok->special_flag_, have.size());
  // Recover the merges: ranks in order, each token's bytes merged with the lower ranks only.
  int32_t byte_id[256];
  std::fill(std::begin(byte_id), std::end(byte_id), -1);
  for (size_t r = 0; r < have.size(); ++r)
    if (tok->bytes_[r].size() == 1) byte_id[static_cast<unsigned char>(tok->bytes_[r][0])] = int32_t(r);
  if (std::count(std::begin(byte_id), std::end(byte_id), -1) > 0)
    fail(ErrorCode::Format, "tiktoken ranks file lacks some of the 256 single-byte tokens");
  BytesTable vocab;
  for (size_t r = 0; r < have.size(); ++r) {
    const std::string& t = tok->bytes_[r];
    int32_t id = int32_t(r);
    vocab.insert(t, hash_bytes(t.data(), t.size()), &id, 1);
  }
  PairTable pairs;
  std::vector<int32_t> parts;
  for (size_t r = 0; r < have.size(); ++r) {
    const std::string& t = tok->bytes_[r];
    if (t.size() < 2) continue;
    parts.clear();
    bpe_merge(byte_id, pairs, t, parts);
    if (parts.size() != 2)
      fail(ErrorCode::Format, "tiktoken token of rank " + std::to_string(r) + " is not a merge of two lower-ranked tokens");
    tok->merges_.emplace_back(parts[0], parts[1]);
    int32_t merge_rank = int32_t(tok->merges_.size() - 1);
    for (size_t s = 1; s < t.size(); ++s) {
      size_t n;
      const int32_t* left = vocab.find(std::string_view(t).substr(0, s), hash_bytes(t.data(), s), n);
      const int32_t* right = left ? vocab.find(std::string_view(t).substr(s), hash_bytes(t.data() + s, t.size() - s), n) : nullptr;
      if (right && *left < int32_t(r) && *right < int32_t(r)) pairs.insert(*left, *right, merge_rank, int32_t(r));
    }
  }
  tok->index();
  return tok;
}

}  // namespace sllm
