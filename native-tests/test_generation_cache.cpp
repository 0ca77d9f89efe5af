// test_generation_cache.cpp: text generation on a shared PrefixCache (what the package's
// model.generate keeps between calls), for both architectures. A prompt that extends the last
// generation's text computes only its new positions and gives the same tokens as a generator
// with its own cache (a cold run); generators that interleave on one cache each give their cold
// run's tokens; generation past the context slides as before; an f16 request does not use an
// f32 cache.
#include <catch2/catch.hpp>

#include "generate/generator.h"
#include "generate/prefix_cache.h"
#include "model/model.h"
#include "model_util.h"

using namespace sllm;
using namespace sllm::test;

namespace {

std::unique_ptr<Model> gen_model(const ModelConfig& base, int context) {
  ModelConfig c = base;
  c.vocab_size = 13;
  c.context_length = context;
  auto m = Model::create(c);
  randomize(*m, 4, 0.3f);
  return m;
}

SampleOptions sampling(int n) {
  SampleOptions o;
  o.temperature = 0.9f;
  o.seed = 7;
  o.max_new_tokens = n;
  o.stop_at_eos = false;
  return o;
}

std::vector<int32_t> run(TokenGenerator& g) {
  std::vector<int32_t> out;
  while (!g.done()) out.push_back(g.next());
  return out;
}

}  // namespace

TEST_CASE("generation cache: a prompt extending the last text computes only the new tokens", "[generate][cache]") {
  for (const ModelConfig& c : tiny_variants()) {
    INFO(describe(c));
    auto model = gen_model(c, 48);
    PrefixCache cache(*model);
    const std::vector<int32_t> prompt = {1, 4, 2, 9, 3};
    TokenGenerator first(*model, prompt, sampling(10), &cache);
    const std::vector<int32_t> out1 = run(first);
    REQUIRE(cache.positions_computed() == 5 + 9);  // the prompt, then every new token but the last
    // the next prompt: the whole text so far and three more tokens
    std::vector<int32_t> prompt2 = prompt;
    prompt2.insert(prompt2.end(), out1.begin(), out1.end());
    prompt2.insert(prompt2.end(), {5, 0, 7});
    const int64_t before = cache.positions_computed();
    TokenGenerator second(*model, prompt2, sampling(8), &cache);
    CHECK(cache.positions_computed() - before == 1 + 3);  // the last generated token and the three new ones
    const std::vector<int32_t> warm = run(second);
    TokenGenerator cold(*model, prompt2, sampling(8));
    CHECK(warm == run(cold));
  }
}

TEST_CASE("generation cache: generators interleaving on one cache each give their cold run", "[generate][cache]") {
  for (const ModelConfig& c : tiny_variants()) {
    INFO(describe(c));
    auto model = gen_model(c, 48);
    PrefixCache cache(*model);
    const std::vector<int32_t> pa = {1, 2, 3}, pb = {1, 2, 8, 8};
    TokenGenerator a(*model, pa, sampling(12), &cache), b(*model, pb, sampling(12), &cache);
    std::vector<int32_t> ta, tb;
    while (!a.done() || !b.done()) {
      if (!a.done()) ta.push_back(a.next());
      if (!b.done()) tb.push_back(b.next());
    }
    TokenGenerator ca(*model, pa, sampling(12)), cb(*model, pb, sampling(12));
    CHECK(ta == run(ca));
    CHECK(tb == run(cb));
  }
}

TEST_CASE("generation cache: past the context it slides like an own cache; other dtypes keep their own", "[generate][cache]") {
  for (const ModelConfig& c : tiny_variants()) {
    INFO(describe(c));
    auto model = gen_model(c, 8);
    PrefixCache cache(*model);
    TokenGenerator shared(*model, {3, 1}, sampling(30), &cache), own(*model, {3, 1}, sampling(30));
    CHECK(run(shared) == run(own));
    const int64_t before = cache.positions_computed();
    SampleOptions half = sampling(5);
    half.kv_cache = "f16";
    TokenGenerator f16(*model, {3, 1}, half, &cache);
    run(f16);
    CHECK(cache.positions_computed() == before);  // the f32 cache was not used
  }
}
