// test_adapter_file.cpp: LoRA adapter files (format/adapter_file.h): an adapter saved and
// loaded onto its base gives the same logits; it is refused on another base (other weights or
// another shape), and model and adapter files are each refused where the other is expected;
// broken adapter headers get errors naming the field; a LoRA run's checkpoint resumes on a
// freshly loaded base with identical losses; and a merged model exported to SLLM and GGUF
// gives the logits of base + adapter.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "format/adapter_file.h"
#include "format/gguf_model.h"
#include "format_util.h"
#include "lora_test_util.h"
#include "train/trainer.h"

using namespace sllm;
using namespace sllm::test;

namespace {
const std::string kText = "hello world, this is a tiny corpus!\n";

std::vector<float> logits(Model& m, const std::vector<int32_t>& x) {
  m.forward(x.data(), nullptr, 1, int(x.size()));
  return std::vector<float>(m.logits(), m.logits() + x.size() * size_t(m.config().vocab_size));
}
double max_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double w = 0;
  for (size_t i = 0; i < a.size(); ++i) w = std::max(w, double(std::fabs(a[i] - b[i])));
  return w;
}
// The error's code name and message, "Format: ...".
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return std::string(error_code_name(e.code())) + ": " + e.what();
  }
  return "no error";
}
std::vector<int32_t> ids(const Tokenizer& tok) { return tok.encode("hello tiny world"); }
}  // namespace

TEST_CASE("an adapter file round-trips onto its base and is refused on another", "[lora][format]") {
  for (const char* arch : {"gpt", "llama"}) {
    SmallModel m = small_model(true, 32, arch);
    attach_random_lora(*m.model, all_targets(m.model->config(), 4, 8.0f, 0.1f), 3);
    const std::vector<float> want = logits(*m.model, ids(*m.tok));
    SaveOptions o;
    o.metadata.set("name", "my adapter");
    const std::vector<uint8_t> file = save_adapter(*m.model, *m.tok, o);
    INFO(arch);
    // Only the adapter's tensors: a small file.
    CHECK(file.size() < size_t(m.model->lora()->num_params()) * 4 + 8192);

    SmallModel base = small_model(true, 32, arch);  // the same weights, freshly made
    LoadedAdapter a = load_adapter(file.data(), file.size());
    CHECK(a.lora->config().rank == 4);
    CHECK(a.lora->config().alpha == 8.0f);
    CHECK(a.lora->config().dropout == Approx(0.1f));
    CHECK(a.lora->config().targets == lora_targets_of(base.model->config()));
    CHECK(a.metadata.get_string("name") == "my adapter");
    attach_adapter(*base.model, std::move(a.lora), a.config);
    CHECK(max_diff(logits(*base.model, ids(*m.tok)), want) == 0.0);

    // Other weights: refused, saying so.
    SmallModel other = small_model(true, 32, arch);
    other.model->params()[5] += 0.25f;
    LoadedAdapter b = load_adapter(file.data(), file.size());
    CHECK_THAT(error_of([&] { attach_adapter(*other.model, std::move(b.lora), b.config); }),
               Catch::Contains("this adapter was trained on other weights") && Catch::Contains("crc32:"));
    // Another shape: refused, saying what each is.
    SmallModel wide = small_model(true, 64, arch);
    LoadedAdapter c = load_adapter(file.data(), file.size());
    CHECK_THAT(error_of([&] { attach_adapter(*wide.model, std::move(c.lora), c.config); }),
               Catch::Contains("made for another model") && Catch::Contains("dim 32") && Catch::Contains("dim 64"));
    // Each kind of file where the other is expected.
    CHECK_THAT(error_of([&] { load_file(file.data(), file.size()); }),
               Catch::StartsWith("AdapterFile: this file is a LoRA adapter (rank 4") && Catch::Contains("load the model it was made for"));
    const std::vector<uint8_t> model_file = save_model(*base.model, *m.tok);
    CHECK_THAT(error_of([&] { load_adapter(model_file.data(), model_file.size()); }),
               Catch::StartsWith("Format: this file is a model, not a LoRA adapter"));
  }
}

TEST_CASE("broken adapter headers get errors naming the field", "[lora][format][errors]") {
  SmallModel m = small_model(true, 32, "llama");
  attach_random_lora(*m.model, all_targets(m.model->config(), 2), 4);
  const std::vector<uint8_t> file = save_adapter(*m.model, *m.tok);
  auto broken = [&](const std::string& from, const std::string& to) {
    FileParts p = FileParts::split(file);
    const size_t at = p.header.find(from);
    REQUIRE(at != std::string::npos);
    p.header.replace(at, from.size(), to);
    const std::vector<uint8_t> f = p.join();
    return error_of([&] { load_adapter(f.data(), f.size()); });
  };
  CHECK_THAT(broken("\"type\":\"lora\"", "\"type\":\"ia3\""), Catch::Contains("adapter \"type\" must be \"lora\""));
  CHECK_THAT(broken("\"rank\":2", "\"rank\":2.5"), Catch::Contains("\"rank\" must be a whole number"));
  CHECK_THAT(broken("\"rank\":2", "\"rank\":0"), Catch::Contains("adapter \"rank\" must be a number from 1"));
  // A rank larger than the layers (kv: 16 values): the tensors' shapes follow it; the error says so.
  CHECK_THAT(broken("\"rank\":2", "\"rank\":17"), Catch::Contains("rank 17 is larger than the attn_k layer"));
  CHECK_THAT(broken("\"base\":\"crc32:", "\"base\":\"md5:"), Catch::Contains("\"base\" must be the base model's checksum"));
  CHECK_THAT(broken("\"blk.1.attn_q.weight\"", "\"blk.7.attn_q.weight\""),
             Catch::Contains("adapter target \"blk.7.attn_q.weight\" is not a linear layer of this llama model"));
  CHECK_THAT(broken("\"blk.1.attn_q.weight\",", ""), Catch::Contains("attn_q in 1 of the 2 layers"));
  CHECK_THAT(broken("\"blk.0.ffn_down.weight.lora_b\"", "\"blk.0.ffn_down.weight.lora_c\""),
             Catch::Contains("the model needs tensor \"blk.0.ffn_down.weight.lora_b\"") ||
                 Catch::Contains("lora_c\" is not part of this model"));
  CHECK_THAT(broken("\"shape\":[2,32]", "\"shape\":[32,2]"),
             Catch::Contains("has shape [32, 2]; the model needs [2, 32]"));
}

TEST_CASE("a LoRA run's checkpoint resumes on a freshly loaded base with identical losses", "[lora][format][training]") {
  for (bool recompute : {false, true}) {
    SmallModel m = small_model(true, 32, "gpt");
    const std::vector<uint8_t> base_file = save_model(*m.model, *m.tok);
    std::string text;
    for (int i = 0; i < 60; ++i) text += kText;
    TrainConfig tc;
    tc.batch_size = 3;
    tc.seq_len = 16;
    tc.max_steps = 8;
    tc.eval_interval = 0;
    tc.lora_rank = 4;
    tc.lora_alpha = 8;
    tc.lora_dropout = 0.1f;
    tc.dropout = 0.1f;
    tc.recompute = recompute;
    tc.chunked = recompute;
    tc.schedule.lr = 1e-2f;
    TokenDataset data(m.tok->encode(text), 0.1f);
    Trainer unbroken(*m.model, data, tc);
    std::vector<float> losses;
    for (int s = 0; s < 8; ++s) losses.push_back(unbroken.train_step().loss);

    // The same run cut at step 4: an adapter checkpoint, then a fresh base and adapter.
    LoadedFile fresh = load_file(base_file.data(), base_file.size());
    Trainer first(*fresh.model, data, tc);
    for (int s = 0; s < 4; ++s) CHECK(first.train_step().loss == losses[size_t(s)]);
    const std::vector<uint8_t> ckpt = save_checkpoint(first, *m.tok);
    // The adapter and its two moments (and the header), not the base.
    CHECK(ckpt.size() < 3 * 4 * fresh.model->lora()->num_params() + 16384);

    LoadedFile base = load_file(base_file.data(), base_file.size());
    LoadedAdapter a = load_adapter(ckpt.data(), ckpt.size());
    REQUIRE(a.checkpoint);
    attach_adapter(*base.model, std::move(a.lora), a.config);
    std::unique_ptr<Trainer> resumed = resume_trainer(*base.model, *a.checkpoint, data);
    INFO((recompute ? "recompute + chunked" : "legacy"));
    for (int s = 4; s < 8; ++s) CHECK(resumed->train_step().loss == losses[size_t(s)]);
    // The base never moved.
    LoadedFile again = load_file(base_file.data(), base_file.size());
    CHECK(std::memcmp(base.model->params(), again.model->params(), again.model->num_params() * 4) == 0);
  }
}

TEST_CASE("merging then exporting (SLLM, GGUF) gives the logits of base + adapter", "[lora][format]") {
  for (const char* arch : {"gpt", "llama"}) {
    SmallModel m = small_model(false, 32, arch);
    attach_random_lora(*m.model, all_targets(m.model->config(), 4, 16.0f), 6, 0.5f);
    const std::vector<float> want = logits(*m.model, ids(*m.tok));
    m.model->lora()->enabled = false;
    CHECK(max_diff(logits(*m.model, ids(*m.tok)), want) > 1e-3);  // the adapter matters
    m.model->lora()->enabled = true;
    // Saving what the model computes, without merging it: the model keeps its adapter.
    std::unique_ptr<Model> held;
    const std::vector<uint8_t> view = save_model(merged_view(*m.model, held), *m.tok);
    CHECK(m.model->lora() != nullptr);
    LoadedFile v = load_file(view.data(), view.size());
    CHECK(max_diff(logits(*v.model, ids(*m.tok)), want) < 1e-5);
    m.model->merge_lora();
    const std::vector<uint8_t> sllm = save_model(*m.model, *m.tok);
    LoadedFile a = load_file(sllm.data(), sllm.size());
    const std::vector<uint8_t> gguf = save_gguf(*m.model, *m.tok);
    LoadedFile b = load_gguf(gguf.data(), gguf.size());
    INFO(arch);
    CHECK(max_diff(logits(*a.model, ids(*m.tok)), want) < 1e-5);
    CHECK(max_diff(logits(*b.model, ids(*m.tok)), want) < 1e-5);
  }
}
