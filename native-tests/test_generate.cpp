// test_generate.cpp: generation through the Decoder for both architectures: prefill of a whole
// prompt and one-token cached steps give the full forward's logits (also for a prompt that
// fills the context, and prompts longer than one prefill chunk); truncating the cache and
// extending it again; sampling; and TextGenerator's text against an independent loop that
// recomputes the whole window with the training forward at every token.
#include <catch2/catch.hpp>
#include <algorithm>

#include "core/error.h"
#include "generate/decoder.h"
#include "generate/generator.h"
#include "model_util.h"
#include "tokenizer/char_tokenizer.h"

using namespace sllm;
using namespace sllm::test;

namespace {

std::vector<int32_t> random_ids(int n, int V, uint64_t seed) {
  Rng rng(seed);
  std::vector<int32_t> x(static_cast<size_t>(n));
  for (auto& t : x) t = int32_t(rng.below(uint32_t(V)));
  return x;
}

double max_diff(const float* a, const float* b, int n) {
  double worst = 0;
  for (int i = 0; i < n; ++i) worst = std::max(worst, double(std::fabs(a[i] - b[i])));
  return worst;
}

// Prefill prompt[0, split), then one cached step per remaining token; compares every position's
// logits that the decoder exposes with the full forward's (which sees the whole sequence at once).
double worst_decode_diff(Model& model, const std::vector<int32_t>& x, int split) {
  const int T = int(x.size()), V = model.config().vocab_size;
  model.forward(x.data(), nullptr, 1, T);
  std::vector<float> full(model.logits(), model.logits() + size_t(T) * V);
  Decoder dec(model);
  double worst = max_diff(dec.prefill(x.data(), split), full.data() + size_t(split - 1) * V, V);
  for (int t = split; t < T; ++t) worst = std::max(worst, max_diff(dec.step(x[size_t(t)]), full.data() + size_t(t) * V, V));
  CHECK(dec.pos() == T);
  return worst;
}

}  // namespace

TEST_CASE("prefill and cached steps give the full forward's logits (gpt and llama)", "[generate]") {
  for (const ModelConfig& c : tiny_variants()) {
    auto owner = Model::create(c);
    randomize(*owner, 23, 0.1f);
    const auto x = random_ids(c.context_length, c.vocab_size, 4);  // fills the whole context
    INFO(describe(c));
    for (int split : {1, 3, c.context_length}) {
      const double worst = worst_decode_diff(*owner, x, split);
      INFO("prefill of " << split << " tokens: largest logit difference " << worst);
      CHECK(worst < 1e-5);
    }
    Decoder dec(*owner);
    dec.prefill(x);
    CHECK_THROWS_AS(dec.step(0), Error);  // full
    CHECK(dec.pos() == c.context_length);
  }
}

TEST_CASE("a prompt longer than one prefill chunk, in a longer context", "[generate]") {
  for (const char* arch : {"gpt", "llama"}) {
    ModelConfig c = tiny_config(arch, true, 1);
    c.context_length = 2 * Decoder::kPrefillChunk + 37;
    auto owner = Model::create(c);
    randomize(*owner, 31, 0.1f);
    const auto x = random_ids(c.context_length, c.vocab_size, 5);
    const double worst = worst_decode_diff(*owner, x, c.context_length - 3);
    INFO(arch << ": largest logit difference " << worst);
    CHECK(worst < 1e-5);
  }
}

TEST_CASE("truncating the cache and extending it recomputes only the new tokens, same logits", "[generate]") {
  for (const ModelConfig& c : tiny_variants()) {
    auto owner = Model::create(c);
    randomize(*owner, 37, 0.1f);
    const auto a = random_ids(6, c.vocab_size, 6), b = random_ids(6, c.vocab_size, 7);
    Decoder cold(*owner), warm(*owner);
    std::vector<int32_t> second(a.begin(), a.begin() + 4);
    second.insert(second.end(), b.begin(), b.begin() + 2);  // shares a's first 4 tokens
    const float* expect = cold.prefill(second);
    std::vector<float> want(expect, expect + c.vocab_size);
    warm.prefill(a);
    warm.truncate(4);
    CHECK(warm.pos() == 4);
    const float* got = warm.prefill(second.data() + 4, 2);
    INFO(describe(c));
    CHECK(max_diff(got, want.data(), c.vocab_size) < 1e-5);
    CHECK_THROWS_AS(warm.truncate(7), Error);
    // A bad id anywhere in a prefill leaves the cache as it was.
    std::vector<int32_t> bad = {1, 2, c.vocab_size};
    CHECK_THROWS_AS(warm.prefill(bad), Error);
    CHECK(warm.pos() == 6);
  }
}

TEST_CASE("sampling: greedy, top-k, top-p and seeds", "[generate]") {
  std::vector<float> logits = {0.1f, 2.0f, 1.9f, -1.0f, 0.5f};
  Rng rng(1);
  SampleOptions o;
  o.temperature = 0;
  CHECK(sample_token(logits.data(), 5, o, rng) == 1);
  o.temperature = 1.0f;
  o.top_k = 2;
  for (int i = 0; i < 200; ++i) {
    int32_t t = sample_token(logits.data(), 5, o, rng);
    CHECK((t == 1 || t == 2));
  }
  o.top_k = 0;
  o.top_p = 0.3f;  // token 1 alone holds more than 30%
  for (int i = 0; i < 50; ++i) CHECK(sample_token(logits.data(), 5, o, rng) == 1);
  o.top_p = 1.0f;
  std::vector<int> counts(5);
  for (int i = 0; i < 4000; ++i) ++counts[size_t(sample_token(logits.data(), 5, o, rng))];
  CHECK(counts[3] > 0);  // every token reachable at top_p = 1
  CHECK(counts[1] > counts[4]);
  Rng a(99), b(99);
  for (int i = 0; i < 20; ++i) CHECK(sample_token(logits.data(), 5, o, a) == sample_token(logits.data(), 5, o, b));
  SampleOptions bad;
  bad.top_p = 0;
  CHECK_THROWS_AS(bad.validate(), Error);
}

TEST_CASE("TextGenerator equals an independent full-forward loop, past the context length", "[generate]") {
  CharTokenizerOptions co;
  co.eos = true;
  auto tok = CharTokenizer::train("abcdefghij", co);  // 11 tokens, as tiny_config's vocabulary
  for (const ModelConfig& c : tiny_variants()) {
    auto owner = Model::create(c);
    Model& model = *owner;
    randomize(model, 29, 0.3f);
    REQUIRE(tok->vocab_size() == c.vocab_size);
    for (float temperature : {0.0f, 0.9f}) {
      SampleOptions o;
      o.max_new_tokens = 40;  // past the context length of 8
      o.seed = 5;
      o.temperature = temperature;
      o.stop_at_eos = false;
      // The reference: the window the generator keeps (all tokens while they fit, then the most
      // recent half context), recomputed from scratch by the training forward at every token.
      std::vector<int32_t> history = tok->encode("abc");
      const size_t cap = size_t(c.context_length);
      size_t start = history.size() <= cap ? 0 : history.size() - cap / 2;
      Rng rng(o.seed);
      std::vector<int32_t> expect;
      for (int i = 0; i < o.max_new_tokens; ++i) {
        const int n = int(history.size() - start);
        model.forward(history.data() + start, nullptr, 1, n);
        const int32_t id = sample_token(model.logits() + size_t(n - 1) * c.vocab_size, c.vocab_size, o, rng);
        expect.push_back(id);
        history.push_back(id);
        if (history.size() - start > cap) start = history.size() - std::max<size_t>(1, cap / 2);
      }
      TextGenerator gen(model, *tok, "abc", o);
      std::string joined;
      while (!gen.done()) joined += gen.next();
      INFO(describe(c) << ", temperature " << temperature);
      CHECK(joined == tok->decode(expect));
      CHECK(gen.tokens_generated() == 40);
      CHECK(gen.next().empty());
      CHECK(generate_ids(model, tok->encode("abc"), o) == expect);
    }
  }
}
