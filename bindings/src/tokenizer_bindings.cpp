// tokenizer_bindings.cpp: tokenizers for JavaScript: building one from text (char now; the
// options leave room for "bpe" and "word"), restoring one from its JSON, and encoding,
// decoding and inspecting the vocabulary.
#include <emscripten/bind.h>

#include "boundary.h"
#include "handles.h"
#include "tokenizer/char_tokenizer.h"

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
  return guard([&] { return tok_->to_json().dump(); });
}

namespace {

// options: {"specials": ["pad"|"unk"|"bos"|"eos", ...], "vocab_size": n} (vocab_size is for
// trained vocabularies; a char vocabulary is the text's characters).
TokenizerHandle* create_tokenizer(const std::string& type, const std::string& text, const std::string& options) {
  return guard([&]() -> TokenizerHandle* {
    Json o = parse_options(options, "tokenizer options");
    if (type == "char") {
      CharTokenizerOptions co;
      if (const Json* sp = o.find("specials")) {
        if (!sp->is_array()) fail(ErrorCode::InvalidArgument, "specials must be an array of token names");
        for (const Json& s : sp->items()) {
          const std::string name = s.is_string() ? s.as_string() : "";
          if (name == "pad") co.pad = true;
          else if (name == "unk") co.unk = true;
          else if (name == "bos") co.bos = true;
          else if (name == "eos") co.eos = true;
          else
            fail(ErrorCode::InvalidArgument, "unknown special token \"" + name +
                                                 "\"; the special tokens are pad, unk, bos and eos");
        }
      }
      return new TokenizerHandle(CharTokenizer::train(text, co));
    }
    if (type == "bpe" || type == "word")
      fail(ErrorCode::InvalidArgument,
           "the \"" + type + "\" tokenizer is not available in this build yet; use type \"char\"");
    fail(ErrorCode::InvalidArgument, "unknown tokenizer type \"" + type + "\"; use \"char\"");
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
}
