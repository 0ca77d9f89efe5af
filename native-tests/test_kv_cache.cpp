// test_kv_cache.cpp: the f16 KV cache (decode_state.h): half the bytes of the f32 cache; logits
// within f16's rounding of the keys and values of the f32 cache's, for both architectures, over
// a prefill and steps; truncating and continuing gives what a fresh decoder given the same
// batches gives; the
// generation option "kv_cache" takes f32 / f16 and names the choices otherwise.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/error.h"
#include "core/rng.h"
#include "generate/decoder.h"
#include "generate/generator.h"
#include "model/architecture.h"

using namespace sllm;

namespace {

std::unique_ptr<Model> model(const std::string& arch) {
  ModelConfig c;
  c.arch = arch;
  c.vocab_size = 40, c.context_length = 32, c.dim = 48, c.layers = 2, c.heads = 4;
  c.kv_heads = arch == "llama" ? 2 : 4, c.ffn_dim = 64;
  return Model::create(c);
}

std::vector<float> logits_after(Decoder& d, const std::vector<int32_t>& prompt, const std::vector<int32_t>& steps) {
  const float* l = d.prefill(prompt);
  for (int32_t id : steps) l = d.step(id);
  return std::vector<float>(l, l + d.model().config().vocab_size);
}

}  // namespace

TEST_CASE("an f16 KV cache takes half the bytes and gives the f32 cache's logits within f16 rounding", "[kv_cache]") {
  for (const char* arch : {"gpt", "llama"}) {
    auto m = model(arch);
    Decoder a(*m), b(*m, DType::F16);
    INFO(arch);
    CHECK(b.cache_bytes() * 2 == a.cache_bytes());
    const std::vector<int32_t> prompt = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3}, steps = {5, 8, 9, 7, 9, 3, 2, 3};
    const auto la = logits_after(a, prompt, steps), lb = logits_after(b, prompt, steps);
    double diff = 0, scale = 0;
    for (size_t i = 0; i < la.size(); ++i) {
      diff = std::max(diff, std::fabs(double(la[i]) - double(lb[i])));
      scale = std::max(scale, std::fabs(double(la[i])));
    }
    INFO("largest difference " << diff << " of logits up to " << scale);
    // Keys and values rounded to f16 (relative 2^-11) move these O(1) logits by ~1e-4.
    CHECK(diff <= 2e-3 * std::max(1.0, scale));
    CHECK(diff > 0);  // the f16 cache is in use
  }
}

TEST_CASE("an f16 cache truncated and continued gives what a fresh f16 decoder gives", "[kv_cache]") {
  // The same batches after the cut: a fresh decoder that prefills the kept prefix, then the rest.
  auto m = model("llama");
  Decoder a(*m, DType::F16), b(*m, DType::F16);
  logits_after(a, {1, 2, 3, 4, 5, 6}, {7, 8});
  a.truncate(4);
  const auto la = logits_after(a, {9, 10}, {11});
  logits_after(b, {1, 2, 3, 4}, {});
  const auto lb = logits_after(b, {9, 10}, {11});
  CHECK(la == lb);
}

TEST_CASE("the kv_cache generation option takes f32 and f16 only", "[kv_cache]") {
  CHECK(SampleOptions::from_json(Json::parse(R"({"kv_cache":"f16"})")).kv_cache == "f16");
  CHECK(SampleOptions{}.kv_cache == "f32");
  try {
    SampleOptions::from_json(Json::parse(R"({"kv_cache":"q8_0"})"));
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::InvalidArgument);
    CHECK(std::string(e.what()).find("f16") != std::string::npos);
  }
  auto m = model("gpt");
  CHECK_THROWS_AS(DecodeState(m->config(), DType::Q8_0), Error);
}
