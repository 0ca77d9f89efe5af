// tokenizer_bindings.cpp: tokenizers for JavaScript: training one on text (char, byte-level
// BPE or word), restoring one from its JSON, and encoding, decoding and inspecting the
// vocabulary.
#include <emscripten/bind.h>

#include "boundary.h"
#include "handles.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/char_tokenizer.h"
#include "tokenizer/hf_tokenizer.h"
#include "tokenizer/word_tokenizer.h"

namespace sllm::bind {

std::string TokenizerHandle::type() const {
  return guard([&] { return tok_->type(); });
}
int TokenizerHandle::vocabSize() const {
  return guard([&] { return int(tok_->vocab_size()); });
}
val TokenizerHandle::encode(const std::string& text, bool allow_special) const {
  return guard([&] { return to_int32array(tok_->encode(text, allow_special)); });
}
std::string TokenizerHandle::decode(const val& ids) const {
  return guard([&] { return tok_->decode(to_ids(ids)); });
}
std::string TokenizerHandle::tokenString(int id) const {
  return guard([&] { return tok_->token_string(id); });
}
int TokenizerHandle::tokenId(const std::string& s) const {
  return guard([&] { return int(tok_->token_id(s)); });
}
std::string TokenizerHandle::specialJson() const {
  return guard([&] { return tok_->special().to_json().dump(); });
}
std::string TokenizerHandle::toJson() const {
  return guard([&] { return tok_->json().dump(); });
}

namespace {

struct SpecialFlags {
  bool pad = false, unk = false, bos = false, eos = false;
};

SpecialFlags special_flags(const Json& o) {
  SpecialFlags f;
  const Json* sp = o.find("specials");
  if (!sp) return f;
  if (!sp->is_array()) fail(ErrorCode::InvalidArgument, "specials must be an array of token names");
  for (const Json& s : sp->items()) {
    const std::string name = s.is_string() ? s.as_string() : s.dump();
    if (name == "pad") f.pad = true;
    else if (name == "unk") f.unk = true;
    else if (name == "bos") f.bos = true;
    else if (name == "eos") f.eos = true;
    else
      fail(ErrorCode::InvalidArgument,
           "unknown special token \"" + name + "\"; the special tokens are pad, unk, bos and eos");
  }
  return f;
}

std::vector<std::string> extra_specials(const Json& o) {
  std::vector<std::string> out;
  const Json* ex = o.find("extra_specials");
  if (!ex) return out;
  if (!ex->is_array()) fail(ErrorCode::InvalidArgument, "extraSpecials must be an array of strings");
  for (const Json& s : ex->items()) {
    if (!s.is_string() || s.as_string().empty())
      fail(ErrorCode::InvalidArgument, "extraSpecials must be an array of non-empty strings");
    out.push_back(s.as_string());
  }
  return out;
}

// type: "char", "bpe" or "word". options: {"specials": ["pad"|"unk"|"bos"|"eos", ...],
// "vocab_size": n, "extra_specials": [strings]} (vocab_size only for bpe and word, which learn a
// vocabulary of that size; the core's default 8000 when absent; a word vocabulary always has
// [UNK]; extra_specials, user-defined special tokens, only for bpe). progress: a JS function
// (merges done, merges planned) called while a BPE vocabulary trains, or undefined.
TokenizerHandle* create_tokenizer(const std::string& type, const std::string& text, const std::string& options,
                                  val progress) {
  return guard([&]() -> TokenizerHandle* {
    Json o = parse_options(options, "tokenizer options");
    const SpecialFlags f = special_flags(o);
    const Json* vs = o.find("vocab_size");
    if (type == "char") {
      if (vs) fail(ErrorCode::InvalidArgument, "a char tokenizer's vocabulary is its text's characters; drop vocabSize");
      CharTokenizerOptions co;
      co.pad = f.pad, co.unk = f.unk, co.bos = f.bos, co.eos = f.eos;
      return new TokenizerHandle(CharTokenizer::train(text, co));
    }
    if (type == "bpe") {
      BpeTrainOptions bo;
      if (vs) bo.vocab_size = int32_t(o.get_int("vocab_size", 1, 1 << 20));
      bo.pad = f.pad, bo.unk = f.unk, bo.bos = f.bos, bo.eos = f.eos;
      bo.extra_specials = extra_specials(o);
      if (progress.typeOf().as<std::string>() == "function")
        bo.progress = [&progress](int done, int total) { progress(done, total); };
      return new TokenizerHandle(BpeTokenizer::train(text, bo));
    }
    if (type == "word") {
      WordTokenizerOptions wo;
      if (vs) wo.vocab_size = int32_t(o.get_int("vocab_size", 1, 1 << 20));
      wo.pad = f.pad, wo.bos = f.bos, wo.eos = f.eos;
      return new TokenizerHandle(WordTokenizer::train(text, wo));
    }
    fail(ErrorCode::InvalidArgument, "unknown tokenizer type \"" + type + "\"; use \"char\", \"bpe\" or \"word\"");
  });
}

// GPT-2's vocabulary from the contents of OpenAI's encoder.json and vocab.bpe.
TokenizerHandle* load_gpt2_tokenizer(const std::string& encoder_json, const std::string& vocab_bpe) {
  return guard([&] { return new TokenizerHandle(BpeTokenizer::from_gpt2(encoder_json, vocab_bpe)); });
}

// A tiktoken ranks file ("base64 rank" lines, as cl100k_base.tiktoken or Llama 3's
// tokenizer.model). options: {"specials": {string: id}, "pretokenizer": "gpt2"|"llama3",
// "eos": string, "bos": string, "add_bos": bool}, each optional.
TokenizerHandle* load_tiktoken_tokenizer(const std::string& ranks, const std::string& options) {
  return guard([&] {
    Json o = parse_options(options, "tiktoken options");
    std::vector<std::pair<std::string, int32_t>> specials;
    if (const Json* sp = o.find("specials")) {
      if (!sp->is_object()) fail(ErrorCode::InvalidArgument, "specialTokens must be an object of token string -> id");
      for (const auto& [name, id] : sp->members()) {
        if (!id.is_number() || id.as_number() < 0 || id.as_number() != double(int32_t(id.as_number())))
          fail(ErrorCode::InvalidArgument, "specialTokens[\"" + name + "\"] must be a token id");
        specials.emplace_back(name, int32_t(id.as_number()));
      }
    }
    auto name = [&](const char* key, const char* fallback) {
      const Json* v = o.find(key);
      if (v && !v->is_string()) fail(ErrorCode::InvalidArgument, std::string(key) + " must be a special token's string");
      return v ? v->as_string() : std::string(fallback);
    };
    auto tok = BpeTokenizer::from_tiktoken(ranks, specials, name("eos", "<|endoftext|>"), name("bos", ""));
    if (const Json* rule = o.find("pretokenizer")) {
      PretokenizerRule r;
      if (!rule->is_string() || !parse_pretokenizer_name(rule->as_string(), r))
        fail(ErrorCode::InvalidArgument, "pretokenizer must be one of " + pretokenizer_names());
      tok->set_pretokenizer(r);
    }
    if (const Json* ab = o.find("add_bos")) tok->set_add_bos(ab->is_bool() && ab->as_bool());
    return new TokenizerHandle(std::move(tok));
  });
}

// Hugging Face's tokenizer.json with (when config is not empty) tokenizer_config.json.
TokenizerHandle* load_hf_tokenizer(const std::string& tokenizer_json, const std::string& config) {
  return guard([&] {
    HfTokenizerConfig cfg;
    if (!config.empty()) cfg = parse_tokenizer_config(config);
    return new TokenizerHandle(tokenizer_from_hf(tokenizer_json, config.empty() ? nullptr : &cfg));
  });
}

TokenizerHandle* tokenizer_from_json(const std::string& json) {
  return guard([&] { return new TokenizerHandle(Tokenizer::from_json(Json::parse(json))); });
}

}  // namespace

}  // namespace sllm::bind

EMSCRIPTEN_BINDINGS(sllm_tokenizer) {
  using namespace emscripten;
  using sllm::bind::TokenizerHandle;
  class_<TokenizerHandle>("TokenizerHandle")
      .function("type", &TokenizerHandle::type)
      .function("vocabSize", &TokenizerHandle::vocabSize)
      .function("encode", &TokenizerHandle::encode)
      .function("decode", &TokenizerHandle::decode)
      .function("tokenString", &TokenizerHandle::tokenString)
      .function("tokenId", &TokenizerHandle::tokenId)
      .function("specialJson", &TokenizerHandle::specialJson)
      .function("toJson", &TokenizerHandle::toJson);
  function("createTokenizer", &sllm::bind::create_tokenizer, allow_raw_pointers());
  function("tokenizerFromJson", &sllm::bind::tokenizer_from_json, allow_raw_pointers());
  function("loadGpt2Tokenizer", &sllm::bind::load_gpt2_tokenizer, allow_raw_pointers());
  function("loadTiktokenTokenizer", &sllm::bind::load_tiktoken_tokenizer, allow_raw_pointers());
  function("loadHfTokenizer", &sllm::bind::load_hf_tokenizer, allow_raw_pointers());
}
