// test_gguf_llamacpp.cpp: GGUF files written by llama.cpp's own tooling (gguf-py) load, and give
// the logits llama.cpp computes for them (native-tests/fixtures/gguf/, made by
// scripts/gguf-fixtures/make_gguf_fixtures.py), and exactly a float64 forward pass of the same
// weights (in the fixture too). llama.cpp computes GELU through an f16 table and multiplies
// bf16/q8_0/q4_0 weights with activations rounded to bf16 or 8-bit blocks, so its logits agree to
// a tolerance per tensor type (the largest difference is printed).
#include <catch2/catch.hpp>
#include <cmath>

#include "format/gguf_model.h"
#include "tokenizer_test_util.h"

using namespace sllm;

namespace {

const Json& fixture() {
  static const Json j = [] {
    std::string text = test::read_text_file(std::string(SLLM_SOURCE_DIR) + "/native-tests/fixtures/gguf/logits.json");
    REQUIRE(!text.empty());  // a missing fixture fails
    return Json::parse(text);
  }();
  return j;
}

struct Diff {
  double worst = 0, scale = 0;
  int argmax_differs = 0;
};

// sllm's logits for a fixture file's tokens against the fixture's rows under `key`.
Diff compare(const std::string& file, const char* key) {
  const std::string bytes = test::read_text_file(std::string(SLLM_SOURCE_DIR) + "/native-tests/fixtures/gguf/" + file);
  REQUIRE(!bytes.empty());
  LoadedFile f = load_gguf(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  const Json& entry = fixture().get("files", Json::Type::Object).get(file, Json::Type::Object);
  std::vector<int32_t> ids;
  for (const Json& t : entry.get("tokens", Json::Type::Array).items()) ids.push_back(int32_t(t.as_number()));
  const int T = int(ids.size()), V = f.model->config().vocab_size;
  f.model->forward(ids.data(), nullptr, 1, T);
  const float* logits = f.model->logits();
  const auto& rows = entry.get(key, Json::Type::Array).items();
  REQUIRE(rows.size() == size_t(T));
  Diff d;
  for (int t = 0; t < T; ++t) {
    const auto& row = rows[size_t(t)].items();
    REQUIRE(row.size() == size_t(V));
    int mine = 0, theirs = 0;
    for (int v = 0; v < V; ++v) {
      const double ref = row[size_t(v)].as_number();
      d.worst = std::max(d.worst, std::fabs(double(logits[t * V + v]) - ref));
      d.scale = std::max(d.scale, std::fabs(ref));
      if (logits[t * V + v] > logits[t * V + mine]) mine = v;
      if (ref > row[size_t(theirs)].as_number()) theirs = v;
    }
    d.argmax_differs += mine != theirs;
  }
  std::printf("%s: largest logit difference from %s %.3g (logits up to %.3g), most likely token differs at %d of %d positions\n",
              file.c_str(), std::string(key) == "exact" ? "a float64 forward pass" : "llama.cpp", d.worst, d.scale,
              d.argmax_differs, T);
  return d;
}

}  // namespace

TEST_CASE("gguf from llama.cpp: gpt2 files in f32, bf16, q8_0 and q4_0 give llama.cpp's logits", "[gguf][llamacpp]") {
  // The importer is exact: sllm equals a float64 forward pass of the same weights.
  for (const char* file : {"tiny-gpt2-f32.gguf", "tiny-gpt2-bf16.gguf", "tiny-gpt2-q8_0.gguf", "tiny-gpt2-q4_0.gguf"}) {
    INFO(file);
    Diff exact = compare(file, "exact");
    CHECK(exact.worst <= 2e-5 * exact.scale);
    CHECK(exact.argmax_differs == 0);
  }
  // llama.cpp rounds: its GELU goes through an f16 table (about 1.5e-3 here, the same against the
  // float64 pass), and it multiplies bf16/q8_0/q4_0 weights with activations rounded to bf16 or
  // 8-bit blocks.
  Diff f32 = compare("tiny-gpt2-f32.gguf", "logits");
  CHECK(f32.worst <= 2.5e-3);
  CHECK(f32.argmax_differs == 0);
  CHECK(compare("tiny-gpt2-bf16.gguf", "logits").worst <= 0.05);
  CHECK(compare("tiny-gpt2-q8_0.gguf", "logits").worst <= 0.15);
  CHECK(compare("tiny-gpt2-q4_0.gguf", "logits").worst <= 0.2);
}

TEST_CASE("gguf from llama.cpp: a llama file (GQA, untied, SentencePiece) gives llama.cpp's logits", "[gguf][llamacpp]") {
  Diff exact = compare("tiny-llama-f32.gguf", "exact");
  CHECK(exact.worst <= 2e-5 * exact.scale);
  CHECK(exact.argmax_differs == 0);
  Diff d = compare("tiny-llama-f32.gguf", "logits");  // no GELU table here: llama.cpp is exact too
  CHECK(d.worst <= 2e-5 * d.scale);
  CHECK(d.argmax_differs == 0);
  const std::string bytes = test::read_text_file(std::string(SLLM_SOURCE_DIR) + "/native-tests/fixtures/gguf/tiny-llama-f32.gguf");
  LoadedFile f = load_gguf(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  const ModelConfig& c = f.model->config();
  CHECK(c.arch == "llama");
  CHECK(c.heads == 4);
  CHECK(c.kv_heads == 2);
  CHECK(!c.tie_embeddings);
  CHECK(f.tokenizer->type() == "spm");
  CHECK(f.tokenizer->special().bos == 1);
}

TEST_CASE("gguf from llama.cpp: its BPE vocabulary reads as sllm's byte-level BPE", "[gguf][llamacpp]") {
  const std::string bytes = test::read_text_file(std::string(SLLM_SOURCE_DIR) + "/native-tests/fixtures/gguf/tiny-gpt2-f32.gguf");
  LoadedFile f = load_gguf(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  CHECK(f.tokenizer->type() == "bpe");
  CHECK(f.tokenizer->vocab_size() == 281);
  CHECK(f.tokenizer->special().eos == 280);
  CHECK(f.metadata.get_string("name") == "tiny gpt2 fixture");
  const std::string text = test::shakespeare().substr(0, 2000);
  CHECK(f.tokenizer->decode(f.tokenizer->encode(text)) == text);
  CHECK(f.tokenizer->encode(" the").size() < 4);  // its merges apply
}
