// spm_json.cpp: the `tokenizer` member of an SLLM file for SentencePiece-style BPE:
//   {"type": "spm",
//    "tokens": [...],       every token's text in id order ("▁" for spaces, "<0xXX>" for bytes)
//    "scores": [...],       one number per token (f32): higher merges first
//    "token_types": [...],  GGUF's token types: 1 normal, 2 unknown, 3 control, 4 user-defined,
//                           5 unused, 6 byte (0 undefined)
//    "byte_fallback": bool, "add_space_prefix": bool, "add_bos": bool,
//    "special": {...}}      bos, eos, unk, pad ids, each only when present
// from_json reads untrusted files: everything SpmTokenizer::create checks is a Format error.
#include <cmath>

#include "core/error.h"
#include "tokenizer/spm_tokenizer.h"
#include "tokenizer/tokenizer_json.h"

namespace sllm {

Json SpmTokenizer::to_json() const {
  Json j = Json::object();
  j.set("type", "spm");
  Json toks = Json::array(), scores = Json::array(), types = Json::array();
  for (size_t i = 0; i < v_.tokens.size(); ++i) {
    toks.push(v_.tokens[i]);
    scores.push(json_float(v_.scores[i]));
    types.push(v_.types[i]);
  }
  j.set("tokens", std::move(toks));
  j.set("scores", std::move(scores));
  j.set("token_types", std::move(types));
  j.set("byte_fallback", v_.byte_fallback);
  j.set("add_space_prefix", v_.add_space_prefix);
  j.set("add_bos", v_.add_bos);
  j.set("special", special_.to_json());
  return j;
}

std::unique_ptr<SpmTokenizer> SpmTokenizer::from_json(const Json& j) { return from_source(JsonTokenizerSource(j)); }

std::unique_ptr<SpmTokenizer> SpmTokenizer::from_source(const TokenizerSource& src) {
  const Json& j = src.object();
  if (!j.is_object()) fail(ErrorCode::Format, "spm tokenizer must be an object");
  const char* what = "spm tokenizer";
  const int64_t n = src.count("tokens", what);
  if (n <= 0) fail(ErrorCode::Format, "spm tokenizer \"tokens\" must be a non-empty array of strings");
  if (n >= int64_t(1) << 24) fail(ErrorCode::Format, "spm tokenizer has too many tokens");
  SpmVocab v;
  v.tokens.reserve(size_t(n));
  src.strings("tokens", what, [&](size_t, std::string&& t) { v.tokens.push_back(std::move(t)); });
  v.scores.reserve(size_t(n));
  v.types.reserve(size_t(n));
  auto within = [&](size_t i, const char* key) {
    if (i >= size_t(n)) fail(ErrorCode::Format, std::string("spm tokenizer \"") + key + "\" has more entries than \"tokens\"");
  };
  if (!src.numbers("scores", what, [&](size_t i, double x) {
        within(i, "scores");
        if (!(std::fabs(x) <= 3.4028234663852886e38)) fail(ErrorCode::Format, "spm tokenizer score " + std::to_string(i) + " is not a finite f32");
        v.scores.push_back(float(x));
      }))
    fail_not_number_array("scores", what);
  if (!src.numbers("token_types", what, [&](size_t i, double x) {
        within(i, "token_types");
        if (x != std::floor(x) || x < 0 || x > 6) fail(ErrorCode::Format, "spm token " + std::to_string(i) + " has unknown token type");
        v.types.push_back(int32_t(x));
      }))
    fail_not_number_array("token_types", what);
  auto flag = [&](const char* key) {
    const Json* b = j.find(key);
    if (!b || !b->is_bool()) fail(ErrorCode::Format, std::string("spm tokenizer \"") + key + "\" must be true or false");
    return b->as_bool();
  };
  v.byte_fallback = flag("byte_fallback");
  v.add_space_prefix = flag("add_space_prefix");
  v.add_bos = flag("add_bos");
  const Json* sp = j.find("special");
  if (sp) v.special = SpecialTokens::from_json(*sp, int32_t(n));
  return create(std::move(v));
}

}  // namespace sllm
