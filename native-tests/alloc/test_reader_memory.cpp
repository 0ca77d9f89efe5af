// test_reader_memory.cpp: issue 3's "nothing the reader does allocates more than the file's size
// plus the model it describes", measured with a counting operator new. Real files (char and BPE
// tokenizers, f32/q4_0, a checkpoint) and crafted headers padded with junk that parses into many
// small values (each valid JSON, each with a correct checksum, so only the header parser and its
// budget stand between the junk and the heap).
#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "../format_util.h"
#include "../test_util.h"
#include "core/error.h"
#include "counting_new.h"
#include "tokenizer/bpe_tokenizer.h"
#include "train/trainer.h"

using namespace sllm;

namespace {

struct Measured {
  size_t peak = 0;   // most bytes load_file had allocated at once (beyond what was live before)
  size_t model = 0;  // bytes of what it returned: weights, tokenizer, metadata, optimizer state
  bool loaded = false;
  std::string error;
};

Measured measure_load(const std::vector<uint8_t>& file) {
  Measured m;
  const size_t before = test::heap_live();
  test::heap_reset_peak();
  try {
    LoadedFile f = load_file(file.data(), file.size());
    m.loaded = true;
    m.model = test::heap_live() - before;
  } catch (const Error& e) {
    m.error = e.what();
  }
  m.peak = test::heap_peak() - before;
  return m;
}

// The bound, and a line saying how close a file came to it.
Measured check_bound(const std::string& what, const std::vector<uint8_t>& file, bool must_load = true) {
  Measured m = measure_load(file);
  INFO(what << ": " << m.error);
  if (must_load) CHECK(m.loaded);
  WARN(what << ": file " << file.size() << " B, " << (m.loaded ? "loaded" : "refused: " + m.error) << "; model "
            << m.model << " B, peak " << m.peak << " B, so the reader's own use was " << m.peak - m.model << " B ("
            << double(m.peak - m.model) / double(file.size()) << " of the file)");
  CHECK(m.peak <= file.size() + m.model);
  return m;
}

// Junk is either passed over (the file loads) or refused by the memory check, never anything else.
void check_junk(const std::string& what, const std::vector<uint8_t>& file) {
  Measured m = check_bound(what, file, false);
  if (!m.loaded) CHECK_THAT(m.error, Catch::Contains("would take more memory to read than the whole file's size"));
}

std::string repeat(const std::string& s, size_t bytes) {
  std::string out;
  out.reserve(bytes + s.size());
  while (out.size() < bytes) out += s;
  return out;
}

}  // namespace

TEST_CASE("reading real files allocates at most the file's size plus the model", "[format][memory]") {
  auto m = test::small_model();
  check_bound("char f32", save_model(*m.model, *m.tok));
  SaveOptions q4;
  q4.weights = DType::Q4_0;
  check_bound("char q4_0", save_model(*m.model, *m.tok, q4));

  BpeTrainOptions o;
  o.vocab_size = 4000;
  auto bpe = BpeTokenizer::train(test::shakespeare().substr(0, 300000), o);
  ModelConfig c;
  c.vocab_size = bpe->vocab_size();
  c.context_length = 32;
  c.dim = 32;
  c.layers = 1;
  c.heads = 2;
  c.kv_heads = 2;
  c.ffn_dim = 64;
  auto g_owner = Model::create(c);
  Model& g = *g_owner;
  check_bound("bpe-4000 dim 32 q4_0", save_model(g, *bpe, q4));

  // A model so small that its file is nearly all header.
  ModelConfig d = c;
  d.vocab_size = m.tok->vocab_size();
  d.context_length = 1;
  d.dim = 1;
  d.heads = 1;
  d.kv_heads = 1;
  d.ffn_dim = 1;
  auto dot_owner = Model::create(d);
  Model& dot = *dot_owner;
  check_bound("dim 1, 1 layer", save_model(dot, *m.tok));

  auto data = std::make_unique<TokenDataset>(m.tok->encode(std::string(400, 'h') + "hello world"), 0.1f);
  TrainConfig tc;
  tc.batch_size = 2;
  tc.seq_len = 8;
  Trainer t(*m.model, *data, tc);
  t.step();
  check_bound("checkpoint", save_checkpoint(t, *m.tok));
}

TEST_CASE("junk in the header cannot make the reader allocate more than file + model", "[format][memory]") {
  auto m = test::small_model();
  const auto good = save_model(*m.model, *m.tok);
  const size_t junk_bytes = size_t(1) << 20;
  const std::vector<std::pair<const char*, std::string>> junks = {
      {"numbers", "[" + repeat("0,", junk_bytes) + "0]"},
      {"empty strings", "[" + repeat("\"\",", junk_bytes) + "\"\"]"},
      {"16-byte strings", "[" + repeat("\"abcdefghijklmnop\",", junk_bytes) + "\"\"]"},
      {"empty arrays", "[" + repeat("[],", junk_bytes) + "[]]"},
      {"empty objects", "[" + repeat("{},", junk_bytes) + "{}]"},
      {"nested arrays", repeat("[", 60) + repeat("0,", junk_bytes) + "0" + repeat("]", 60)},
  };
  // Where the junk goes: a member of the header nobody knows, and members of each known object
  // (the model, the tokenizer, a tensor entry), which are built as Json values.
  const std::vector<std::pair<const char*, std::string>> places = {
      {"the header", "{"}, {"\"model\"", "\"model\":{"}, {"\"tokenizer\"", "\"tokenizer\":{"},
      {"a tensor entry", "\"tensors\":[{"}};
  std::string members;  // 100,000 members of their own, not one member holding junk
  for (int i = 0; i < 100000; ++i) members += "\"junk" + std::to_string(i) + "\":0,";
  for (const auto& [where, anchor] : places) {
    for (const auto& [what, junk] : junks) {
      auto parts = test::FileParts::split(good);
      size_t at = parts.header.find(anchor);
      REQUIRE(at != std::string::npos);
      parts.header.insert(at + anchor.size(), "\"junk\":" + junk + ",");
      check_junk(std::string(what) + " in " + where, parts.join());
    }
    auto parts = test::FileParts::split(good);
    parts.header.insert(parts.header.find(anchor) + anchor.size(), members);
    check_junk(std::string("100000 members in ") + where, parts.join());
  }
  // Metadata is kept (it is part of what load returns), so it is built within the budget too:
  // a million one-letter entries are refused rather than held.
  auto parts = test::FileParts::split(good);
  std::string entries;
  for (int i = 0; i < 100000; ++i) entries += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":\"\"";
  REQUIRE(parts.header.find("\"metadata\":{}") != std::string::npos);
  parts.header.insert(parts.header.find("\"metadata\":{}") + 12, entries);
  check_junk("100000 metadata entries", parts.join());
}
