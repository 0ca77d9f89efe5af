// test_bpe.cpp: byte-level BPE trained on the corpus: round trips, special tokens, training
// (size, determinism, progress, agreement with a naive reference), the two merge loops and
// streaming decoding.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "core/error.h"
#include "core/utf8.h"
#include "tokenizer/bpe_merge.h"
#include "tokenizer_test_util.h"

using namespace sllm;

TEST_CASE("trained BPE has the requested layout and size", "[bpe]") {
  const BpeTokenizer& tok = test::trained_bpe();
  CHECK(tok.vocab_size() == 2000);
  CHECK(tok.num_merges() == 2000 - 5 - 256);
  CHECK(tok.special().pad == 0);
  CHECK(tok.special().unk == 1);
  CHECK(tok.special().bos == 2);
  CHECK(tok.special().eos == 3);
  CHECK(tok.special_ids() == std::vector<int32_t>{0, 1, 2, 3, 4});
  CHECK(tok.token_string(4) == "<|sep|>");
  CHECK(tok.token_bytes(5 + 'A') == "A");
  CHECK(tok.token_id("[EOS]") == 3);
  CHECK(tok.token_id("\xC4\xA0the") >= 261);  // " the" is an early merge
}

TEST_CASE("trained BPE hits 8,000 tokens on the corpus", "[bpe]") {
  BpeTrainOptions o;
  o.vocab_size = 8000;
  auto tok = BpeTokenizer::train(test::shakespeare(), o);
  CHECK(tok->vocab_size() == 8000);
  CHECK(tok->num_merges() == 8000 - 256);
  auto ids = tok->encode(test::shakespeare());
  CHECK(ids.size() < test::shakespeare().size() / 3);
  CHECK(tok->decode(ids) == test::shakespeare());
}

TEST_CASE("trained BPE round-trips every adversarial case and the corpus", "[bpe]") {
  const BpeTokenizer& tok = test::trained_bpe();
  for (const auto& c : test::tokenizer_cases()) {
    INFO("case: " << c.name);
    CHECK(tok.decode(tok.encode(c.text)) == c.text);
    for (int32_t id : tok.encode(c.text)) CHECK_FALSE(tok.is_special(id));
  }
  CHECK(tok.decode(tok.encode(test::shakespeare())) == test::shakespeare());
  // Invalid UTF-8 is encoded as U+FFFD.
  CHECK(tok.encode("a\xFF") == tok.encode("a\xEF\xBF\xBD"));
  CHECK(tok.decode(tok.encode("a\xC3")) == "a\xEF\xBF\xBD");
}

TEST_CASE("BPE encodes random bytes as their U+FFFD-sanitized text", "[bpe]") {
  const BpeTokenizer& tok = test::trained_bpe();
  Rng rng(11);
  const char* bits[] = {"a", " ", "\n", "'s", "\xC3\xA9", "\xF0\x9F\x98\x80", "\xE2\x80", "\xFF", "\x80", "[EOS]", "<|sep|>", "7"};
  for (int trial = 0; trial < 2000; ++trial) {
    std::string s;
    for (uint32_t k = 0, n = rng.below(40); k < n; ++k) {
      if (rng.below(3) == 0) s += char(rng.below(256));
      else s += bits[rng.below(12)];
    }
    REQUIRE(tok.decode(tok.encode(s)) == sanitize_utf8(s));
    std::string with_specials = tok.decode(tok.encode(s, true));
    REQUIRE(utf8_valid(with_specials));
  }
}

TEST_CASE("BPE special tokens are matched only when allowed and never split", "[bpe]") {
  const BpeTokenizer& tok = test::trained_bpe();
  const int32_t eos = tok.special().eos, sep = tok.token_id("<|sep|>");
  CHECK(tok.encode("[EOS]", true) == std::vector<int32_t>{eos});
  CHECK(tok.encode("a[EOS]b<|sep|>", true) ==
        [&] {
          std::vector<int32_t> v = tok.encode("a");
          v.push_back(eos);
          for (int32_t id : tok.encode("b")) v.push_back(id);
          v.push_back(sep);
          return v;
        }());
  auto plain = tok.encode("[EOS]<|sep|>", false);
  CHECK(plain.size() > 2);
  for (int32_t id : plain) CHECK_FALSE(tok.is_special(id));
  CHECK(tok.decode(plain) == "[EOS]<|sep|>");
  CHECK(tok.decode(tok.encode("x[EOS]y", true)) == "xy");  // specials decode to nothing ...
  CHECK(tok.token_bytes(tok.special().unk) == "\xEF\xBF\xBD");  // ... except [UNK]

  // A special string in the training text is cut out: no merge spans or forms it.
  std::string text = test::shakespeare().substr(0, 200000);
  for (size_t i = 1000; i < text.size(); i += 1000) text.insert(i, "<|sep|>");
  BpeTrainOptions o;
  o.vocab_size = 600;
  o.extra_specials = {"<|sep|>"};
  auto t2 = BpeTokenizer::train(text, o);
  for (int32_t id = 0; id < t2->vocab_size(); ++id)
    if (!t2->is_special(id)) CHECK(t2->token_bytes(id).find("|>") == std::string::npos);
  size_t inserted = 0;
  for (size_t at = text.find("<|sep|>"); at != std::string::npos; at = text.find("<|sep|>", at + 1)) ++inserted;
  auto ids = t2->encode(text, true);
  CHECK(inserted > 150);
  CHECK(size_t(std::count(ids.begin(), ids.end(), t2->token_id("<|sep|>"))) == inserted);
  CHECK(t2->decode(ids).size() == text.size() - 7 * inserted);
}

TEST_CASE("BPE training is deterministic and reports progress", "[bpe]") {
  const std::string text = test::shakespeare().substr(0, 300000);
  std::vector<std::pair<int, int>> calls;
  BpeTrainOptions o;
  o.vocab_size = 1000;
  o.progress = [&](int done, int total) { calls.emplace_back(done, total); };
  auto a = BpeTokenizer::train(text, o);
  o.progress = nullptr;
  auto b = BpeTokenizer::train(text, o);
  CHECK(a->to_json().dump() == b->to_json().dump());
  REQUIRE(calls.size() >= 10);
  CHECK(calls.size() <= 110);
  CHECK(calls.back() == std::make_pair(744, 744));
  for (size_t i = 1; i < calls.size(); ++i) CHECK(calls[i].first >= calls[i - 1].first);
}

TEST_CASE("BPE training rejects bad options", "[bpe]") {
  BpeTrainOptions o;
  o.vocab_size = 255;
  CHECK_THROWS_AS(BpeTokenizer::train("abc", o), Error);
  o.vocab_size = 300;
  CHECK_THROWS_AS(BpeTokenizer::train("", o), Error);
  o.extra_specials = {""};
  CHECK_THROWS_AS(BpeTokenizer::train("abc", o), Error);
  // A tiny text runs out of pairs before the requested size.
  o.extra_specials.clear();
  auto tok = BpeTokenizer::train("abab", o);  // merges "ab", then "abab"
  CHECK(tok->vocab_size() == 258);
  CHECK(tok->encode("abab").size() == 1);
}

TEST_CASE("BPE training never forms a token longer than kMaxTokenBytes", "[bpe]") {
  std::string text = std::string(3000, 'a') + " " + std::string(1000, '-') + "\n";
  BpeTrainOptions o;
  o.vocab_size = 400;
  auto tok = BpeTokenizer::train(text + text, o);
  size_t longest = 0;
  for (int32_t id = 0; id < tok->vocab_size(); ++id) longest = std::max(longest, tok->token_bytes(id).size());
  CHECK(longest == BpeTokenizer::kMaxTokenBytes);
  CHECK(tok->decode(tok->encode(text)) == text);
  CHECK(Tokenizer::from_json(tok->to_json())->encode(text) == tok->encode(text));
}

// The textbook algorithm: recount every pair before each merge.
static std::vector<std::string> naive_merges(const std::string& text, int merges) {
  std::map<std::string, int64_t> words;
  for_each_piece(text, PretokenizerRule::Gpt2, [&](std::string_view p) { ++words[std::string(p)]; });
  std::map<std::string, int32_t> id_of;
  std::vector<std::string> bytes;
  for (int b = 0; b < 256; ++b) id_of[std::string(1, char(b))] = b, bytes.push_back(std::string(1, char(b)));
  std::vector<std::pair<std::vector<int32_t>, int64_t>> ws;
  for (auto& [w, c] : words) {
    std::vector<int32_t> s;
    for (unsigned char ch : w) s.push_back(ch);
    ws.emplace_back(s, c);
  }
  std::vector<std::string> out;
  while (int(out.size()) < merges) {
    std::map<std::pair<int32_t, int32_t>, int64_t> count;
    for (auto& [s, c] : ws)
      for (size_t i = 0; i + 1 < s.size(); ++i) count[{s[i], s[i + 1]}] += c;
    if (count.empty()) break;
    auto best = count.begin();  // highest count; map order gives the smallest (left, right) on ties
    for (auto it = count.begin(); it != count.end(); ++it)
      if (it->second > best->second) best = it;
    auto [a, b] = best->first;
    std::string cat = bytes[a] + bytes[b];
    int32_t c = id_of.count(cat) ? id_of[cat] : int32_t(bytes.size());
    if (c == int32_t(bytes.size())) bytes.push_back(cat), id_of[cat] = c, out.push_back(cat);
    for (auto& [s, n] : ws) {
      std::vector<int32_t> t;
      for (size_t i = 0; i < s.size();)
        if (i + 1 < s.size() && s[i] == a && s[i + 1] == b) t.push_back(c), i += 2;
        else t.push_back(s[i++]);
      s = t;
    }
  }
  return out;
}

TEST_CASE("BPE training agrees with the naive reference algorithm", "[bpe]") {
  const std::string text = test::shakespeare().substr(100000, 20000) + " aaaaaaa aaaa ababab \n\n\n";
  BpeTrainOptions o;
  o.vocab_size = 256 + 150;
  auto tok = BpeTokenizer::train(text, o);
  std::vector<std::string> expect = naive_merges(text, 150);
  REQUIRE(tok->num_merges() == int32_t(expect.size()));
  for (int32_t r = 0; r < tok->num_merges(); ++r) {
    auto [a, b] = tok->merge(r);
    CHECK(tok->token_bytes(a) + tok->token_bytes(b) == expect[size_t(r)]);
  }
}

TEST_CASE("the short and long BPE merge loops agree", "[bpe]") {
  // A random pair table over ids 0..39 (bytes 'a'..'h' are ids 0..7) with random ranks.
  Rng rng(7);
  PairTable pairs;
  for (int k = 0; k < 400; ++k) {
    int32_t a = int32_t(rng.below(40)), b = int32_t(rng.below(40));
    pairs.insert(a, b, int32_t(rng.below(60)), 8 + int32_t(rng.below(32)));
  }
  int32_t byte_id[256] = {};
  for (int c = 0; c < 8; ++c) byte_id['a' + c] = c;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string piece;
    size_t n = 1 + rng.below(64);
    for (size_t i = 0; i < n; ++i) piece += char('a' + rng.below(trial % 2 ? 8 : 3));
    std::vector<int32_t> s, l;
    bpe_merge_short(byte_id, pairs, piece, s);
    bpe_merge_long(byte_id, pairs, piece, l);
    REQUIRE(s == l);
  }
}

TEST_CASE("StreamDecoder holds back a character split across BPE tokens", "[bpe]") {
  const BpeTokenizer& tok = test::trained_bpe();
  auto ids = tok.encode("\xF0\x9F\x98\x80");  // U+1F600: four byte tokens in this vocabulary
  REQUIRE(ids.size() > 1);
  StreamDecoder sd(tok);
  for (size_t i = 0; i + 1 < ids.size(); ++i) CHECK(sd.feed(ids[i]).empty());
  CHECK(sd.feed(ids.back()) == "\xF0\x9F\x98\x80");
  CHECK(sd.flush().empty());
  for (const auto& c : test::tokenizer_cases()) {
    INFO("case: " << c.name);
    StreamDecoder d(tok);
    std::string got;
    for (int32_t id : tok.encode(c.text)) {
      std::string part = d.feed(id);
      CHECK(utf8_valid(part));
      got += part;
    }
    got += d.flush();
    CHECK(got == c.text);
  }
}
