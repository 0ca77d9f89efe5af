// test_torch_reference.cpp: compares sllm's models (gpt, and llama with grouped-query
// attention) with an independent PyTorch (float64) implementation: logits, loss, every
// parameter gradient, and the losses of 10 AdamW steps, from the fixtures written by
// scripts/torch_reference.py. Prints the largest difference per tensor.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>

#include "core/json.h"
#include "model/model.h"
#include "optim/adamw.h"
#include "test_util.h"

using namespace sllm;

namespace {

Json load_fixture(const std::string& name) {
  std::ifstream f(std::string(SLLM_SOURCE_DIR) + "/native-tests/fixtures/" + name, std::ios::binary);
  INFO(name);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return Json::parse(ss.str());
}

std::vector<float> floats(const Json& arr) {
  std::vector<float> v;
  for (auto& x : arr.items()) v.push_back(float(x.as_number()));
  return v;
}

std::vector<int32_t> ints(const Json& arr) {
  std::vector<int32_t> v;
  for (auto& x : arr.items()) v.push_back(int32_t(x.as_number()));
  return v;
}

// Largest |a - b| relative to the largest |b| in the tensor (so tiny entries do not dominate),
// with a floor of 1e-3 on that scale: the key biases' true gradient is exactly zero (softmax
// ignores a shift shared by a whole row), where float32 leaves ~1e-9 of noise.
double max_rel_diff(const float* a, const std::vector<float>& b) {
  double scale = 1e-3, worst = 0;
  for (float x : b) scale = std::max(scale, double(std::fabs(x)));
  for (size_t i = 0; i < b.size(); ++i) worst = std::max(worst, std::fabs(double(a[i]) - double(b[i])));
  return worst / scale;
}

void load_params(Model& model, const Json& fx) {
  for (const auto& t : model.tensors()) {
    const Json* arr = fx.get("params", Json::Type::Object).find(t.name);
    INFO(t.name);
    REQUIRE(arr);
    std::vector<float> v = floats(*arr);
    REQUIRE(v.size() == t.numel);
    std::copy(v.begin(), v.end(), model.params() + t.offset);
  }
}

// The fixture's model (with its weights) and batch.
struct Reference {
  explicit Reference(const std::string& name) : fx(load_fixture(name)) { load_params(model, fx); }
  Json fx;
  std::unique_ptr<Model> owner = Model::create(ModelConfig::from_json(fx.get("model", Json::Type::Object)));
  Model& model = *owner;
  int B = int(fx.get_number("batch")), T = int(fx.get_number("seq"));
  std::vector<int32_t> tokens = ints(fx.get("tokens", Json::Type::Array));
  std::vector<int32_t> targets = ints(fx.get("targets", Json::Type::Array));
};

void check_gradients(const char* name) {
  Reference ref(name);
  auto& [fx, owner, model, B, T, tokens, targets] = ref;
  std::printf("reference: %s (arch %s)\n", name, model.config().arch.c_str());

  model.forward(tokens.data(), nullptr, B, T);
  double dlogits = max_rel_diff(model.logits(), floats(fx.get("logits", Json::Type::Array)));
  std::printf("reference: logits max rel diff %.2e\n", dlogits);
  CHECK(dlogits < 1e-5);

  float loss = model.forward(tokens.data(), targets.data(), B, T);
  std::printf("reference: loss %.7f vs torch %.7f\n", double(loss), fx.get_number("loss"));
  CHECK(std::fabs(loss - fx.get_number("loss")) < 1e-5);

  model.zero_grad();
  model.backward();
  const Json& grads = fx.get("grads", Json::Type::Object);
  for (const auto& t : model.tensors()) {
    const Json* g = grads.find(t.name);
    INFO(t.name);
    REQUIRE(g);
    double d = max_rel_diff(model.grads() + t.offset, floats(*g));
    std::printf("reference: grad %-28s max rel diff %.2e\n", t.name.c_str(), d);
    CHECK(d < 1e-4);
  }
}

void check_adamw(const char* name) {
  Reference ref(name);
  auto& [fx, owner, model, B, T, tokens, targets] = ref;
  const Json& o = fx.get("adamw", Json::Type::Object);
  AdamWConfig ac;
  ac.beta1 = float(o.get_number("beta1"));
  ac.beta2 = float(o.get_number("beta2"));
  ac.eps = float(o.get_number("eps"));
  ac.weight_decay = float(o.get_number("weight_decay"));
  AdamW opt(model.num_params(), ac);
  auto expected = o.get("losses", Json::Type::Array).items();
  double worst = 0;
  for (size_t s = 0; s < expected.size(); ++s) {
    model.zero_grad();
    float loss = model.forward(tokens.data(), targets.data(), B, T);
    model.backward();
    clip_grad_norm(model.grads(), model.num_params(), float(o.get_number("grad_clip")));
    opt.step(model.params(), model.grads(), model.tensors(), float(o.get_number("lr")));
    double d = std::fabs(double(loss) - expected[s].as_number());
    worst = std::max(worst, d);
    INFO(name << ": step " << s + 1);
    CHECK(d < 2e-4 * std::max(1.0, expected[s].as_number()));
  }
  std::printf("reference: %s: 10 AdamW steps, largest loss difference %.2e (last loss %.5f)\n", name, worst,
              expected.back().as_number());
}

}  // namespace

TEST_CASE("gpt matches the PyTorch reference: logits, loss and every gradient", "[reference]") {
  check_gradients("torch_reference.json");
}

TEST_CASE("llama (GQA, untied) matches the PyTorch reference: logits, loss and every gradient", "[reference]") {
  check_gradients("torch_reference_llama.json");
}

TEST_CASE("10 AdamW steps follow the PyTorch reference losses (gpt and llama)", "[reference]") {
  check_adamw("torch_reference.json");
  check_adamw("torch_reference_llama.json");
}
