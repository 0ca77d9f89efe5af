// test_model.cpp: both architectures through the model interface: the gradient of every
// parameter tensor against finite differences (gpt tied and untied, llama tied and untied, with
// grouped-query attention), the parameter layouts against the SLLM spec's names and shapes,
// initialization, and clear errors for inconsistent configs.
#include <catch2/catch.hpp>
#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "gradcheck.h"
#include "model/architecture.h"
#include "model_util.h"

using namespace sllm;
using namespace sllm::test;

TEST_CASE("gradient of every parameter tensor matches finite differences (gpt and llama)", "[model][grad]") {
  for (const ModelConfig& c : tiny_variants()) {
    auto owner = Model::create(c);
    Model& model = *owner;
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
      INFO(describe(c) << ": " << t.name);
      // llama's RMSNorms on 12 values curve more over a step of 1e-2 than float32 rounding
      // costs at 4e-3; GPT's tiny bias gradients want the larger step.
      const float eps = c.arch == "llama" ? 4e-3f : 1e-2f;
      check_grad(t.name, model.params() + t.offset, grads.data() + t.offset, t.numel, loss, eps, idx);
    }
  }
}

TEST_CASE("parameters follow the SLLM spec's names and shapes", "[model]") {
  using S = std::vector<int64_t>;
  auto shape = [](const Model& m, const std::string& n) {
    const ParamTensor* t = m.find_tensor(n);
    INFO(n);
    REQUIRE(t);
    return t->shape;
  };
  auto gpt = Model::create(tiny_config("gpt", false));
  CHECK(shape(*gpt, "token_embd.weight") == S{11, 12});
  CHECK(shape(*gpt, "position_embd.weight") == S{8, 12});
  CHECK(shape(*gpt, "blk.1.attn_k.weight") == S{12, 12});
  CHECK(shape(*gpt, "blk.0.ffn_up.weight") == S{20, 12});
  CHECK(shape(*gpt, "blk.0.ffn_down.weight") == S{12, 20});
  CHECK(shape(*gpt, "blk.1.ffn_down.bias") == S{12});
  CHECK(shape(*gpt, "output.weight") == S{11, 12});
  CHECK(gpt->tensors().size() == 2 + 2 * 16 + 3);

  auto llama = Model::create(tiny_config("llama", false, 1));  // 1 kv head of 4 values
  CHECK(llama->find_tensor("position_embd.weight") == nullptr);
  CHECK(shape(*llama, "blk.0.attn_q.weight") == S{12, 12});
  CHECK(shape(*llama, "blk.0.attn_k.weight") == S{4, 12});
  CHECK(shape(*llama, "blk.1.attn_v.weight") == S{4, 12});
  CHECK(shape(*llama, "blk.0.attn_output.weight") == S{12, 12});
  CHECK(shape(*llama, "blk.0.ffn_gate.weight") == S{20, 12});
  CHECK(shape(*llama, "blk.1.ffn_up.weight") == S{20, 12});
  CHECK(shape(*llama, "blk.1.ffn_down.weight") == S{12, 20});
  CHECK(shape(*llama, "output_norm.weight") == S{12});
  for (const auto& t : llama->tensors()) CHECK(t.name.find(".bias") == std::string::npos);
  CHECK(llama->tensors().size() == 1 + 2 * 9 + 2);

  for (const ModelConfig& c : tiny_variants()) {
    auto m = Model::create(c);
    INFO(describe(c));
    // Weight decay applies to exactly the 2-D tensors; the parameter count is the layout's.
    for (const auto& t : m->tensors()) CHECK(t.decay == (t.shape.size() == 2));
    CHECK(c.param_count() == m->num_params());
    if (c.tie_embeddings) CHECK(m->find_tensor("output.weight") == nullptr);
  }
}

TEST_CASE("initialization: normal(0, 0.02), residual projections scaled, biases 0, norms 1", "[model]") {
  for (const char* arch : {"gpt", "llama"}) {
    ModelConfig c = tiny_config(arch, true);
    c.dim = 64;
    c.heads = 4;
    c.kv_heads = arch == std::string("gpt") ? 4 : 2;
    c.ffn_dim = 256;
    c.layers = 8;
    auto owner = Model::create(c);
    const Model& model = *owner;
    auto stddev = [&](const std::string& n) {
      const ParamTensor* t = model.find_tensor(n);
      double s = 0;
      for (size_t i = 0; i < t->numel; ++i) s += double(model.params()[t->offset + i]) * model.params()[t->offset + i];
      return std::sqrt(s / double(t->numel));
    };
    INFO(arch);
    CHECK(stddev("blk.0.ffn_up.weight") == Approx(0.02).epsilon(0.05));
    CHECK(stddev("blk.0.ffn_down.weight") == Approx(0.02 / std::sqrt(16.0)).epsilon(0.05));
    CHECK(stddev("blk.3.attn_output.weight") == Approx(0.02 / std::sqrt(16.0)).epsilon(0.05));
    if (std::string(arch) == "gpt") CHECK(stddev("blk.0.attn_q.bias") == 0.0);
    else CHECK(stddev("blk.0.ffn_gate.weight") == Approx(0.02).epsilon(0.05));
    CHECK(model.params()[model.find_tensor("output_norm.weight")->offset] == 1.0f);
  }
}

TEST_CASE("param_count is 64-bit and needs no allocation", "[model]") {
  for (const char* arch : {"gpt", "llama"}) {
    ModelConfig big = tiny_config(arch, false);
    big.vocab_size = 1 << 20;
    big.dim = 1 << 12;
    big.heads = 16;
    big.kv_heads = 16;
    CHECK(big.param_count() > (uint64_t(1) << 32));  // would wrap a 32-bit size_t
  }
}

TEST_CASE("inconsistent configs get an error naming the field", "[model][errors]") {
  auto message = [](ModelConfig c) {
    try {
      c.validate();
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::Config);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  ModelConfig c = tiny_config("llama", true);
  c.kv_heads = 2;  // 3 heads
  CHECK_THAT(message(c), Catch::Contains("kv_heads 2 does not divide heads 3"));
  c = tiny_config("llama", true);
  c.dim = 15;  // head size 5
  CHECK_THAT(message(c), Catch::Contains("head size dim / heads = 5 is odd"));
  c = tiny_config("llama", true);
  c.rope_theta = 0.5f;
  CHECK_THAT(message(c), Catch::Contains("rope_theta"));
  c = tiny_config("gpt", true);
  c.kv_heads = 1;
  CHECK_THAT(message(c), Catch::Contains("kv_heads 1 must equal heads 3 for arch \"gpt\""));
  c.arch = "mamba";
  CHECK_THAT(message(c), Catch::Contains("\"arch\" (--arch): \"mamba\" is not one of \"gpt\", \"llama\""));
  CHECK(architecture_names() == std::vector<std::string>{"gpt", "llama"});
}
