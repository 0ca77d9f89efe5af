// test_hf_model.cpp: Hugging Face model folders in and out. The fixtures (scripts/hf_reference.py:
// tiny random GPT2LMHeadModel and LlamaForCausalLM in F32, F16 sharded and BF16, with logits
// from an independent PyTorch forward) import and give those logits (<= 1e-4 relative); an
// export of an import gives the fixture's tensors back bit for bit (so llama's q/k permutation
// is inverted exactly); and each broken or unsupported folder gets an error naming the problem.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "core/error.h"
#include "format/hf_arch.h"
#include "format/hf_model.h"
#include "format/safetensors_shards.h"
#include "hf_test_util.h"
#include "model/model.h"
#include "data/dataset.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/char_tokenizer.h"
#include "train/trainer.h"

using namespace sllm;

namespace {

const char* const kFixtures[] = {"gpt2", "gpt2-f16-sharded", "llama", "llama-bf16"};

double logits_diff(Model& m, const test::ReferenceLogits& r) {
  m.forward(r.tokens.data(), nullptr, r.B, r.T);
  REQUIRE(r.logits.size() == size_t(r.B) * size_t(r.T) * size_t(m.config().vocab_size));
  return test::relative_diff(m.logits(), r.logits);
}

std::string import_error(const FileSet& files) {
  try {
    import_hf(files);
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::Format);
    return e.what();
  }
  return "(no error)";
}

// The fixture's files with one replaced (or removed, when bytes is empty and remove is set).
FileSet with_file(const std::string& fixture, const std::string& name, const std::string& text, bool remove = false) {
  FileSet files = test::read_folder(test::hf_fixture_dir(fixture));
  files.erase(std::remove_if(files.begin(), files.end(), [&](const NamedSource& f) { return f.name == name; }), files.end());
  if (!remove) files.push_back({name, MemorySource::owning(std::vector<uint8_t>(text.begin(), text.end()))});
  return files;
}

std::string patched_config(const std::string& fixture, const char* key, Json value) {
  Json j = Json::parse(test::read_text_file(test::hf_fixture_dir(fixture) + "/config.json"));
  j.set(key, std::move(value));
  return j.dump();
}

}  // namespace

TEST_CASE("Hugging Face fixtures import and give the PyTorch reference's logits", "[hf_model]") {
  for (const char* name : kFixtures) {
    INFO("fixture " << name);
    const std::string dir = test::hf_fixture_dir(name);
    LoadedFile f = import_hf(test::read_folder(dir));
    const double rel = logits_diff(*f.model, test::reference_logits(dir));
    std::printf("hf import %-17s arch %-5s %8zu parameters: logits max |diff| / max |logit| = %.2e\n", name,
                f.model->config().arch.c_str(), f.model->num_params(), rel);
    CHECK(rel <= 1e-4);
    CHECK(f.tokenizer->vocab_size() == f.model->config().vocab_size);
    CHECK(f.metadata.get_string("source") == "Hugging Face");
    const bool llama = std::string(name).rfind("llama", 0) == 0;
    CHECK(f.model->config().arch == (llama ? "llama" : "gpt"));
    auto* bpe = dynamic_cast<BpeTokenizer*>(f.tokenizer.get());
    REQUIRE(bpe);
    CHECK(bpe->add_bos() == llama);
    CHECK(f.tokenizer->chat_template().empty() == !llama);
    CHECK(f.tokenizer->special().eos >= 0);
  }
  LoadedFile l = import_hf(test::read_folder(test::hf_fixture_dir("llama")));
  CHECK(l.model->config().kv_heads == 2);
  CHECK(l.model->config().rope_theta == 500000.0f);
  CHECK_FALSE(l.model->config().tie_embeddings);
  CHECK(l.tokenizer->encode("the cat").front() == l.tokenizer->special().bos);
  LoadedFile b = import_hf(test::read_folder(test::hf_fixture_dir("llama-bf16")));
  CHECK(b.model->config().vocab_size == 296);  // padded past the tokenizer's 285 ids
  CHECK(b.tokenizer->token_string(290) == "[PAD290]");
}

TEST_CASE("an export of an import gives the fixture's tensors back bit for bit", "[hf_model]") {
  for (const char* name : {"gpt2", "llama"}) {  // the F32 fixtures
    INFO("fixture " << name);
    FileSet original = test::read_folder(test::hf_fixture_dir(name));
    LoadedFile f = import_hf(original);
    FileSet exported = test::file_set(export_hf(*f.model, *f.tokenizer));
    StCheckpoint a = StCheckpoint::open(original), b = StCheckpoint::open(exported);
    size_t compared = 0;
    std::vector<uint8_t> scratch;
    for (const std::string& n : a.names()) {
      if (hf_ignorable(n)) continue;
      const StCheckpoint::Entry* e = b.find(n);
      if (!e) e = b.find("transformer." + n);  // the fixture has GPT2Model-style names
      REQUIRE(e);
      std::vector<float> x(size_t(a.find(n)->tensor->numel())), y(x.size());
      StCheckpoint::read_f32(*a.find(n), x.data(), scratch);
      StCheckpoint::read_f32(*e, y.data(), scratch);
      CHECK(x == y);
      ++compared;
    }
    CHECK(compared == b.names().size());
    // And it imports again to the same model and tokenizer.
    LoadedFile g = import_hf(exported);
    CHECK(std::equal(g.model->params(), g.model->params() + g.model->num_params(), f.model->params()));
    CHECK(g.tokenizer->json().dump() == f.tokenizer->json().dump());
    CHECK(g.model->config().to_json().dump() == f.model->config().to_json().dump());
  }
}

TEST_CASE("exports in F16 and BF16 import to the rounded weights", "[hf_model]") {
  LoadedFile f = import_hf(test::read_folder(test::hf_fixture_dir("llama")));
  for (StType t : {StType::F16, StType::BF16}) {
    HfExportOptions o;
    o.dtype = t;
    auto files = export_hf(*f.model, *f.tokenizer, o);
    LoadedFile g = import_hf(test::file_set(std::move(files)));
    double worst = 0;
    for (size_t i = 0; i < f.model->num_params(); ++i)
      worst = std::max(worst, double(std::abs(g.model->params()[i] - f.model->params()[i]) / (std::abs(f.model->params()[i]) + 1e-3)));
    CHECK(worst < (t == StType::F16 ? 1e-3 : 8e-3));
    CHECK(worst > 0);
  }
}

TEST_CASE("a broken or unsupported Hugging Face folder is refused with the reason", "[hf_model][hostile]") {
  CHECK_THAT(import_error(with_file("gpt2", "config.json", "", true)), Catch::Contains("no config.json among the files"));
  CHECK_THAT(import_error(with_file("gpt2", "tokenizer.json", "", true)), Catch::Contains("no tokenizer.json"));
  CHECK_THAT(import_error(with_file("gpt2", "model.safetensors", "", true)), Catch::Contains("no model.safetensors"));
  CHECK_THAT(import_error(with_file("gpt2", "config.json", "{\"architectures\": ")), Catch::Contains("config.json: not valid UTF-8 JSON"));
  CHECK_THAT(import_error(with_file("gpt2", "config.json", patched_config("gpt2", "architectures", Json::parse("[\"Qwen2ForCausalLM\"]")))),
             Catch::Contains("architecture \"Qwen2ForCausalLM\" is not supported"));
  CHECK_THAT(import_error(with_file("gpt2", "config.json", patched_config("gpt2", "n_embd", "16"))), Catch::Contains("\"n_embd\" must be a whole number"));
  CHECK_THAT(import_error(with_file("gpt2", "config.json", patched_config("gpt2", "n_layer", nullptr))), Catch::Contains("\"n_layer\" is missing"));
  CHECK_THAT(import_error(with_file("gpt2", "config.json", patched_config("gpt2", "activation_function", "relu"))),
             Catch::Contains("activation_function \"relu\""));
  CHECK_THAT(import_error(with_file("gpt2", "config.json", patched_config("gpt2", "n_head", 3))), Catch::Contains("not valid"));
  CHECK_THAT(import_error(with_file("llama", "config.json", patched_config("llama", "rope_scaling",
                                                                            Json::parse("{\"rope_type\": \"llama3\", \"factor\": 8}")))),
             Catch::Contains("rope_scaling \"llama3\" is not supported"));
  CHECK_THAT(import_error(with_file("llama", "config.json", patched_config("llama", "rope_scaling", Json::parse("{\"type\": \"linear\"}")))),
             Catch::Contains("rope_scaling \"linear\""));
  CHECK_THAT(import_error(with_file("llama", "config.json", patched_config("llama", "attention_bias", true))), Catch::Contains("attention_bias"));
  CHECK_THAT(import_error(with_file("llama", "config.json", patched_config("llama", "hidden_act", "gelu"))), Catch::Contains("hidden_act \"gelu\""));
  CHECK_THAT(import_error(with_file("llama", "config.json", patched_config("llama", "num_key_value_heads", 3))), Catch::Contains("not valid"));
  // Config and tensors that disagree: the error names the tensor, before anything is allocated.
  CHECK_THAT(import_error(with_file("llama", "config.json", patched_config("llama", "num_hidden_layers", 3))),
             Catch::Contains("lacks \"model.layers.2."));
  CHECK_THAT(import_error(with_file("llama", "config.json", patched_config("llama", "intermediate_size", 48))),
             Catch::Contains("has shape [16, 40]; config.json implies [16, 48]"));
  CHECK_THAT(import_error(with_file("llama", "config.json", patched_config("llama", "vocab_size", 1000000))), Catch::Contains("has shape"));
  CHECK_THAT(import_error(with_file("llama-bf16", "config.json", patched_config("llama-bf16", "tie_word_embeddings", false))),
             Catch::Contains("lacks \"lm_head.weight\""));
  CHECK_THAT(import_error(with_file("llama", "config.json", patched_config("llama", "num_hidden_layers", 1))),
             Catch::Contains("9 tensor(s) LlamaForCausalLM does not use (\"model.layers.1."));
  CHECK_THAT(import_error(with_file("llama", "config.json", patched_config("llama", "vocab_size", 100))),
             Catch::Contains("tokenizer.json has 285 tokens but config.json's vocab_size is 100"));
  CHECK_THAT(import_error(with_file("llama", "tokenizer.json", "{\"model\": {\"type\": \"Unigram\"}}")),
             Catch::Contains("\"Unigram\" is not supported"));
  // Broken safetensors: every truncation of the checkpoint is refused.
  const std::string st = test::read_text_file(test::hf_fixture_dir("llama-bf16") + "/model.safetensors");
  for (size_t n : {size_t(0), size_t(7), size_t(100), st.size() / 2, st.size() - 1})
    CHECK_THAT(import_error(with_file("llama-bf16", "model.safetensors", st.substr(0, n))),
               Catch::Contains("invalid safetensors file model.safetensors"));
  // A tensor in a dtype sllm does not read.
  std::string i64 = st;
  const size_t at = i64.find("\"BF16\"");
  REQUIRE(at != std::string::npos);
  CHECK_THAT(import_error(with_file("llama-bf16", "model.safetensors", i64.replace(at, 6, "\"I8\"  "))), Catch::Contains("need"));
}

namespace {
// A small model of arch trained for a few steps on the corpus with a char tokenizer.
struct Trained {
  std::unique_ptr<Tokenizer> tok;
  std::unique_ptr<Model> model;
};
Trained train_small(const std::string& arch, bool tied, int kv_heads) {
  Trained t;
  const std::string text = test::shakespeare().substr(0, 200000);
  t.tok = CharTokenizer::train(text);
  ModelConfig c;
  c.arch = arch;
  c.vocab_size = t.tok->vocab_size();
  c.context_length = 32;
  c.dim = 32;
  c.layers = 2;
  c.heads = 4;
  c.kv_heads = kv_heads;
  c.ffn_dim = arch == "gpt" ? 128 : 88;
  c.tie_embeddings = tied;
  c.rope_theta = 1000.0f;
  t.model = Model::create(c);
  TokenDataset data(t.tok->encode(text), 0.1f);
  TrainConfig tc;
  tc.batch_size = 4;
  tc.seq_len = 32;
  tc.max_steps = 30;
  tc.eval_interval = 0;
  tc.schedule.lr = 3e-3f;
  Trainer tr(*t.model, data, tc);
  for (int i = 0; i < 30; ++i) tr.train_step();
  return t;
}
}  // namespace

TEST_CASE("the way back: an exported model gives sllm's logits in the PyTorch reference", "[hf_model][torch]") {
  const char* py = std::getenv("SLLM_PYTHON") ? std::getenv("SLLM_PYTHON") : "/usr/bin/python3";
  std::string dirs;
  const std::string base = std::string(SLLM_BINARY_DIR) + "/hf_way_back";
  mkdir(base.c_str(), 0755);
  struct Variant {
    const char* arch;
    bool tied;
    int kv_heads;
  };
  for (Variant v : {Variant{"gpt", true, 4}, Variant{"llama", false, 2}, Variant{"llama", true, 4}}) {
    Trained t = train_small(v.arch, v.tied, v.kv_heads);
    const std::string dir = base + "/" + v.arch + (v.tied ? "-tied" : "-untied");
    test::write_folder(dir, export_hf(*t.model, *t.tok));
    // A batch and sllm's logits for it, for the reference to compare with.
    const int B = 2, T = 32;
    std::vector<int32_t> tokens = t.tok->encode(test::shakespeare().substr(5000, 2 * T));
    REQUIRE(tokens.size() == size_t(B * T));
    t.model->forward(tokens.data(), nullptr, B, T);
    Json j = Json::object(), rows = Json::array(), logits = Json::array();
    for (int b = 0; b < B; ++b) {
      Json row = Json::array();
      for (int i = 0; i < T; ++i) row.push(tokens[size_t(b * T + i)]);
      rows.push(std::move(row));
    }
    const size_t n = size_t(B) * T * size_t(t.model->config().vocab_size);
    logits.items().reserve(n);
    for (size_t i = 0; i < n; ++i) logits.push(double(t.model->logits()[i]));
    j.set("tokens", std::move(rows));
    j.set("logits", std::move(logits));
    std::ofstream(dir + "/sllm_logits.json") << j.dump();
    dirs += " " + dir;
  }
  const std::string cmd = std::string(py) + " " + SLLM_SOURCE_DIR + "/scripts/hf_reference.py check" + dirs + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  const int status = pclose(p);
  std::printf("%s", out.c_str());
  INFO(cmd << "\n" << out << "(python3-torch missing? scripts/setup.sh installs it)");
  CHECK(status == 0);
  CHECK(out.find("GPT2LMHeadModel") != std::string::npos);
  CHECK(out.find("LlamaForCausalLM") != std::string::npos);
}
