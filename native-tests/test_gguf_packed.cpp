// test_gguf_packed.cpp: GGUF files loaded packed for generation (load_gguf(bytes, {packed})):
// the matrices and embeddings stay in the file's bytes and dtype, as a packed SLLM file's do. For
// both architectures (gpt's q | k | v fused in one GGUF tensor) and every dtype, the packed GGUF
// model gives bit for bit the logits of the packed SLLM file of the same dtype (same blocks, same
// kernels), holds about the file's tensor bytes (not an f32 copy), and unpacks to the f32 values
// of the unpacked import. A bf16 tensor is widened to f32.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <iterator>

#include "core/rng.h"
#include "format/gguf_model.h"
#include "format/sllm_file.h"
#include "generate/decoder.h"
#include "model/architecture.h"
#include "tokenizer/char_tokenizer.h"

using namespace sllm;

namespace {

const char* kCorpus = "the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.\n";

std::unique_ptr<Model> random_model(const std::string& arch, int vocab) {
  ModelConfig c;
  c.arch = arch;
  c.vocab_size = vocab;
  c.context_length = 24;
  c.dim = 64;
  c.layers = 2;
  c.heads = 4;
  c.kv_heads = arch == "llama" ? 2 : 4;
  c.ffn_dim = 96;
  c.tie_embeddings = arch == "gpt";
  auto m = Model::create(c);
  Rng rng(5);
  for (size_t i = 0; i < m->num_params(); ++i) m->params()[i] += 0.05f * rng.normal();
  return m;
}

std::vector<float> logits_after_steps(const Model& m) {
  Decoder d(m);
  std::vector<float> all;
  const int V = m.config().vocab_size;
  const float* l = d.prefill(std::vector<int32_t>{1, 5, 2, 7, 3, 3, 9});
  all.insert(all.end(), l, l + V);
  for (int32_t id : {8, 1, 0}) {
    l = d.step(id);
    all.insert(all.end(), l, l + V);
  }
  return all;
}

}  // namespace

TEST_CASE("gguf packed: the same logits as the packed SLLM file of the same dtype, about the file's bytes", "[gguf][packed]") {
  auto tok = CharTokenizer::train(kCorpus);
  for (const std::string arch : {"gpt", "llama"})
    for (DType dt : {DType::F32, DType::F16, DType::Q8_0, DType::Q4_0}) {
      INFO(arch << " " << dtype_name(dt));
      auto model = random_model(arch, int(tok->vocab_size()));
      SaveOptions so;
      so.weights = dt;
      auto gguf = std::make_shared<const std::vector<uint8_t>>(save_gguf(*model, *tok, so));
      auto sllm = std::make_shared<const std::vector<uint8_t>>(save_model(*model, *tok, so));
      LoadOptions packed;
      packed.packed = true;
      LoadedFile g = load_gguf(gguf, packed);
      LoadedFile s = load_file(sllm, packed);
      REQUIRE(g.model->packed());
      CHECK(logits_after_steps(*g.model) == logits_after_steps(*s.model));
      // the weights are the file's tensors, not a copy in f32
      CHECK(g.model->weight_bytes() == s.model->weight_bytes());
      const double f32_bytes = double(model->num_params()) * 4;
      if (dt == DType::F16) CHECK(double(g.model->weight_bytes()) < 0.55 * f32_bytes);
      if (dt == DType::Q8_0 || dt == DType::Q4_0) CHECK(double(g.model->weight_bytes()) < 0.3 * f32_bytes);
      // unpacked, the values of the f32 import
      LoadedFile plain = load_gguf(gguf->data(), gguf->size());
      REQUIRE_FALSE(plain.model->packed());
      g.model->unpack();
      CHECK(std::memcmp(g.model->params(), plain.model->params(), plain.model->num_params() * 4) == 0);
    }
}

TEST_CASE("gguf packed: the bytes the model keeps outlive the caller's pointer", "[gguf][packed]") {
  auto tok = CharTokenizer::train(kCorpus);
  auto model = random_model("llama", int(tok->vocab_size()));
  SaveOptions so;
  so.weights = DType::Q8_0;
  LoadOptions packed;
  packed.packed = true;
  std::vector<float> expected;
  std::unique_ptr<Model> kept;
  {
    auto gguf = std::make_shared<const std::vector<uint8_t>>(save_gguf(*model, *tok, so));
    LoadedFile g = load_gguf(gguf, packed);
    expected = logits_after_steps(*g.model);
    kept = std::move(g.model);
  }  // the caller's reference to the bytes is gone; the model holds them
  CHECK(logits_after_steps(*kept) == expected);
}

TEST_CASE("gguf packed: llama.cpp's bf16, q8_0 and q4_0 files load packed with the unpacked import's values", "[gguf][packed]") {
  for (const char* file : {"tiny-gpt2-bf16.gguf", "tiny-gpt2-q8_0.gguf", "tiny-gpt2-q4_0.gguf"}) {
    INFO(file);
    std::ifstream in(std::string(SLLM_SOURCE_DIR) + "/native-tests/fixtures/gguf/" + file, std::ios::binary);
    auto bytes = std::make_shared<const std::vector<uint8_t>>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    REQUIRE(bytes->size() > 1000);  // a missing fixture fails
    LoadOptions packed;
    packed.packed = true;
    LoadedFile g = load_gguf(bytes, packed);
    LoadedFile plain = load_gguf(bytes->data(), bytes->size());
    REQUIRE(g.model->packed());
    // bf16 matrices are widened to f32 (the f32 kernels, the unpacked import's exact logits)
    if (std::string(file).find("bf16") != std::string::npos) CHECK(logits_after_steps(*g.model) == logits_after_steps(*plain.model));
    g.model->unpack();
    CHECK(std::memcmp(g.model->params(), plain.model->params(), plain.model->num_params() * 4) == 0);
  }
}
