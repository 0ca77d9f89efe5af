// test_prefix_cache.cpp: conversation (prefix) caching in the core, for both architectures. A prompt
// that extends the cached tokens computes only its new positions and gives the logits of a
// full forward (the independent reference) and of a cold session; a prompt that diverges
// reuses the common prefix; the same prompt computes nothing; bad prompts are refused and
// leave the session usable.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>

#include "generate/prefix_cache.h"
#include "core/error.h"
#include "core/rng.h"
#include "model/model.h"
#include "model_util.h"

using namespace sllm;
using namespace sllm::test;

namespace {

// vocab 13, context 16 (tiny_config's are 11 and 8), weights randomized.
std::unique_ptr<Model> chat_model(const ModelConfig& base) {
  ModelConfig c = base;
  c.vocab_size = 13;
  c.context_length = 16;
  auto m = Model::create(c);
  randomize(*m, 9, 0.1f);
  return m;
}

std::vector<int32_t> random_ids(size_t n, uint64_t seed, int V) {
  Rng rng(seed);
  std::vector<int32_t> ids(n);
  for (auto& t : ids) t = int32_t(rng.below(uint32_t(V)));
  return ids;
}

// Logits of the last position of a full forward over ids: the independent reference.
std::vector<float> full_forward_last(Model& model, const std::vector<int32_t>& ids) {
  const int V = model.config().vocab_size, T = int(ids.size());
  model.forward(ids.data(), nullptr, 1, T);
  const float* l = model.logits() + size_t(T - 1) * size_t(V);
  return std::vector<float>(l, l + V);
}

double max_diff(const float* a, const std::vector<float>& b) {
  double worst = 0;
  for (size_t i = 0; i < b.size(); ++i) worst = std::max(worst, double(std::fabs(a[i] - b[i])));
  return worst;
}

}  // namespace

TEST_CASE("chat session: a follow-up that extends the cached tokens computes only the new ones", "[chat]") {
  for (const ModelConfig& c : tiny_variants()) {
    INFO(describe(c));
    auto owned = chat_model(c);
    Model& model = *owned;
    const int V = model.config().vocab_size;
    std::vector<int32_t> turn1 = random_ids(6, 1, V);
    PrefixCache s(model);
    CHECK(s.prefill(turn1) == 6);
    CHECK(max_diff(s.logits(), full_forward_last(model, turn1)) < 1e-5);
    // a reply of three tokens, appended one at a time
    std::vector<int32_t> reply = {4, 7, 2};
    for (int32_t id : reply) s.append(id);
    CHECK(s.positions_computed() == 9);
    // turn 2: turn 1, the reply, and four new tokens
    std::vector<int32_t> turn2 = turn1;
    turn2.insert(turn2.end(), reply.begin(), reply.end());
    for (int32_t id : {1, 5, 5, 0}) turn2.push_back(id);
    CHECK(s.prefill(turn2) == 4);
    CHECK(s.tokens() == turn2);
    CHECK(s.positions_computed() == 13);
    CHECK(max_diff(s.logits(), full_forward_last(model, turn2)) < 1e-5);
    // the same logits as a cold session on turn 2
    PrefixCache cold(model);
    CHECK(cold.prefill(turn2) == int(turn2.size()));
    CHECK(max_diff(s.logits(), std::vector<float>(cold.logits(), cold.logits() + V)) < 1e-5);
  }
}

TEST_CASE("chat session: the same prompt again computes nothing; a diverging one reuses the common prefix", "[chat]") {
  for (const ModelConfig& c : tiny_variants()) {
    INFO(describe(c));
    auto owned = chat_model(c);
    Model& model = *owned;
    const int V = model.config().vocab_size;
    std::vector<int32_t> a = random_ids(8, 2, V);
    PrefixCache s(model);
    s.prefill(a);
    std::vector<float> first(s.logits(), s.logits() + V);
    CHECK(s.prefill(a) == 0);
    CHECK(max_diff(s.logits(), first) == 0);
    std::vector<int32_t> b = a;
    b[5] = (b[5] + 1) % V;  // diverges inside the cached tokens
    CHECK(s.prefill(b) == 3);  // positions 5, 6 and 7
    CHECK(s.tokens() == b);
    CHECK(max_diff(s.logits(), full_forward_last(model, b)) < 1e-5);
    std::vector<int32_t> shorter(b.begin(), b.begin() + 4);  // a prefix of the cached tokens
    CHECK(s.prefill(shorter) == 1);                          // its last token, for the logits
    CHECK(s.tokens() == shorter);
    CHECK(max_diff(s.logits(), full_forward_last(model, shorter)) < 1e-5);
    CHECK(s.positions_computed() == 8 + 3 + 1);
  }
}

TEST_CASE("chat session: bad prompts and a full context are refused", "[chat]") {
  auto model = chat_model(tiny_config("llama", false, 1));
  PrefixCache s(*model);
  CHECK_THROWS_AS(s.prefill({}), Error);
  CHECK_THROWS_AS(s.prefill(std::vector<int32_t>(17, 1)), Error);  // context is 16
  CHECK_THROWS_AS(s.prefill({1, 2, 13}), Error);                    // outside the vocabulary
  CHECK_THROWS_AS(s.append(1), Error);                               // nothing prefilled
  CHECK(s.empty());
  s.prefill({1, 2, 3});
  CHECK_THROWS_AS(s.prefill({1, 2, -1}), Error);  // refused before anything changes
  CHECK(s.tokens() == std::vector<int32_t>{1, 2, 3});
  std::vector<int32_t> full(16, 3);
  CHECK(s.prefill(full) == 16);
  CHECK_THROWS_AS(s.append(1), Error);  // context full
  CHECK(s.tokens() == full);
  s.prefill({1, 2});
  CHECK_THROWS_AS(s.append(-1), Error);
  CHECK(s.tokens() == std::vector<int32_t>{1, 2});
  s.append(4);
  CHECK(s.tokens() == std::vector<int32_t>{1, 2, 4});
}
