// test_gpt.cpp: the whole model's gradient against finite differences for every parameter
// tensor (tied and untied heads), the KV-cache path against the full forward, and the
// parameter layout against the SLLM spec's names and shapes.
#include <catch2/catch.hpp>
#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "generate/generator.h"
#include "gradcheck.h"
#include "model/gpt.h"
#include "tokenizer/char_tokenizer.h"

using namespace sllm;
using namespace sllm::test;

namespace {

ModelConfig tiny_config(bool tied) {
  ModelConfig c;
  c.vocab_size = 11;
  c.context_length = 8;
  c.dim = 12;
  c.layers = 2;
  c.heads = 3;
  c.kv_heads = 3;
  c.ffn_dim = 20;
  c.tie_embeddings = tied;
  c.init_seed = 5;
  return c;
}

// Non-trivial weights: the standard init leaves biases at 0 and norm weights at 1.
void randomize(GPT& m, uint64_t seed, float scale) {
  Rng rng(seed);
  for (size_t i = 0; i < m.num_params(); ++i) m.params()[i] += scale * rng.normal();
}

}  // namespace

TEST_CASE("GPT gradient of every parameter tensor matches finite differences", "[gpt][grad]") {
  for (bool tied : {true, false}) {
    GPT model(tiny_config(tied));
    randomize(model, 17, 0.3f);
    const int B = 2, T = 7;
    std::vector<int32_t> x(B * T), y(B * T);
    Rng rng(3);
    for (auto& t : x) t = int32_t(rng.below(11));
    for (auto& t : y) t = int32_t(rng.below(11));
    model.zero_grad();
    model.forward(x.data(), y.data(), B, T);
    model.backward();
    std::vector<float> grads(model.grads(), model.grads() + model.num_params());
    auto loss = [&] { return double(model.forward(x.data(), y.data(), B, T)); };
    for (const auto& t : model.tensors()) {
      if (t.name.find("attn_k.bias") != std::string::npos) {
        // Softmax ignores a shift shared by a whole row, and q . b_k is one: the exact gradient
        // is zero (what PyTorch gives too); finite differences would only measure rounding.
        for (size_t i = 0; i < t.numel; ++i) CHECK(std::fabs(grads[t.offset + i]) < 1e-6f);
        continue;
      }
      // The 12 entries with the largest |gradient| plus 12 random ones, per tensor.
      std::vector<size_t> idx(t.numel);
      std::iota(idx.begin(), idx.end(), size_t(0));
      std::partial_sort(idx.begin(), idx.begin() + std::min<size_t>(12, t.numel), idx.end(), [&](size_t a, size_t b) {
        return std::fabs(grads[t.offset + a]) > std::fabs(grads[t.offset + b]);
      });
      idx.resize(std::min<size_t>(12, t.numel));
      for (int k = 0; k < 12; ++k) idx.push_back(rng.below(uint32_t(t.numel)));
      INFO((tied ? "tied: " : "untied: ") << t.name);
      check_grad(t.name, model.params() + t.offset, grads.data() + t.offset, t.numel, loss, 1e-2f, idx);
    }
  }
}

TEST_CASE("GPT parameters follow the SLLM spec's names and shapes", "[gpt]") {
  ModelConfig c = tiny_config(false);
  GPT model(c);
  auto shape = [&](const std::string& n) {
    const ParamTensor* t = model.find_tensor(n);
    REQUIRE(t);
    return t->shape;
  };
  using S = std::vector<int64_t>;
  CHECK(shape("token_embd.weight") == S{11, 12});
  CHECK(shape("position_embd.weight") == S{8, 12});
  CHECK(shape("blk.1.attn_k.weight") == S{12, 12});
  CHECK(shape("blk.0.ffn_up.weight") == S{20, 12});
  CHECK(shape("blk.0.ffn_down.weight") == S{12, 20});
  CHECK(shape("blk.1.ffn_down.bias") == S{12});
  CHECK(shape("output.weight") == S{11, 12});
  CHECK(model.tensors().size() == 2 + 2 * 16 + 3);
  GPT tied(tiny_config(true));
  CHECK(tied.find_tensor("output.weight") == nullptr);
  CHECK(tied.num_params() == model.num_params() - 11 * 12);
  // Weight decay applies to exactly the 2-D tensors.
  for (const auto& t : model.tensors()) CHECK(t.decay == (t.shape.size() == 2));
}

TEST_CASE("initialization: normal(0, 0.02), residual projections scaled, biases 0, norms 1", "[gpt]") {
  ModelConfig c = tiny_config(true);
  c.dim = 64;
  c.heads = 4;
  c.kv_heads = 4;
  c.ffn_dim = 256;
  c.layers = 8;
  GPT model(c);
  auto stddev = [&](const std::string& n) {
    const ParamTensor* t = model.find_tensor(n);
    double s = 0;
    for (size_t i = 0; i < t->numel; ++i) s += double(model.params()[t->offset + i]) * model.params()[t->offset + i];
    return std::sqrt(s / double(t->numel));
  };
  CHECK(stddev("blk.0.ffn_up.weight") == Approx(0.02).epsilon(0.05));
  CHECK(stddev("blk.0.ffn_down.weight") == Approx(0.02 / std::sqrt(16.0)).epsilon(0.05));
  CHECK(stddev("blk.3.attn_output.weight") == Approx(0.02 / std::sqrt(16.0)).epsilon(0.05));
  CHECK(stddev("blk.0.attn_q.bias") == 0.0);
  CHECK(model.params()[model.find_tensor("output_norm.weight")->offset] == 1.0f);
}

TEST_CASE("KV-cache generation gives the same logits as a full forward", "[gpt][generate]") {
  for (bool tied : {true, false}) {
    ModelConfig c = tiny_config(tied);
    GPT model(c);
    randomize(model, 23, 0.1f);
    const int T = c.context_length;
    std::vector<int32_t> x(static_cast<size_t>(T));
    Rng rng(4);
    for (auto& t : x) t = int32_t(rng.below(uint32_t(c.vocab_size)));
    model.forward(x.data(), nullptr, 1, T);
    std::vector<float> full(model.logits(), model.logits() + size_t(T) * c.vocab_size);
    KVCache cache(model);
    double worst = 0;
    for (int t = 0; t < T; ++t) {
      const float* l = cache.feed(x[size_t(t)]);
      for (int v = 0; v < c.vocab_size; ++v)
        worst = std::max(worst, double(std::fabs(l[v] - full[size_t(t) * c.vocab_size + v])));
    }
    INFO("largest logit difference " << worst);
    CHECK(worst < 1e-5);
    CHECK_THROWS_AS(cache.feed(0), Error);  // full
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
  CHECK(counts[3] > 0);                    // every token reachable at top_p = 1
  CHECK(counts[1] > counts[4]);
  // Same seed, same draws.
  Rng a(99), b(99);
  for (int i = 0; i < 20; ++i) CHECK(sample_token(logits.data(), 5, o, a) == sample_token(logits.data(), 5, o, b));
  SampleOptions bad;
  bad.top_p = 0;
  CHECK_THROWS_AS(bad.validate(), Error);
}

TEST_CASE("generation past the context length keeps going", "[generate]") {
  GPT model(tiny_config(true));
  SampleOptions o;
  o.max_new_tokens = 30;  // context is 8
  o.seed = 3;
  auto out = generate_ids(model, {1, 2, 3}, o);
  CHECK(out.size() == 30);
  auto again = generate_ids(model, {1, 2, 3}, o);
  CHECK(out == again);
}

TEST_CASE("param_count (64-bit, no allocation) equals the allocated parameter count", "[gpt]") {
  for (bool tied : {true, false}) {
    ModelConfig c = tiny_config(tied);
    CHECK(c.param_count() == GPT(c).num_params());
  }
  ModelConfig big = tiny_config(false);
  big.vocab_size = 1 << 20;
  big.dim = 1 << 12;
  big.heads = 16;
  big.kv_heads = 16;
  CHECK(big.param_count() > (uint64_t(1) << 32));  // would wrap a 32-bit size_t
}

TEST_CASE("TextGenerator, one token per next(), gives generate_text's text", "[generate]") {
  GPT model(tiny_config(true));
  randomize(model, 29, 0.1f);
  CharTokenizerOptions co;
  co.eos = true;
  auto tok = CharTokenizer::train("abcdefghij", co);  // 11 tokens, as tiny_config's vocabulary
  REQUIRE(tok->vocab_size() == model.config().vocab_size);
  for (bool eos : {false, true}) {
    SampleOptions o;
    o.max_new_tokens = 40;  // past the context length of 8
    o.seed = 5;
    o.stop_at_eos = eos;
    TextGenerator gen(model, *tok, "abc", o);
    std::string joined;
    while (!gen.done()) joined += gen.next();
    CHECK(joined == generate_text(model, *tok, "abc", o));
    CHECK(gen.next().empty());
    CHECK(gen.tokens_generated() <= 40);
    if (!eos) CHECK(gen.tokens_generated() == 40);
  }
}
