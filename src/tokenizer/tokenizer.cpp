// tokenizer.cpp: the shared parts of the tokenizer interface: special-token tables, decoding,
// streaming decoding and the factory that restores any tokenizer from JSON.
#include "tokenizer/tokenizer.h"

#include "core/error.h"
#include "core/utf8.h"
#include "tokenizer/tokenizer_json.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/char_tokenizer.h"
#include "tokenizer/spm_tokenizer.h"
#include "tokenizer/word_tokenizer.h"

namespace sllm {

Json SpecialTokens::to_json() const {
  Json j = Json::object();
  if (pad >= 0) j.set("pad", pad);
  if (unk >= 0) j.set("unk", unk);
  if (bos >= 0) j.set("bos", bos);
  if (eos >= 0) j.set("eos", eos);
  return j;
}

SpecialTokens SpecialTokens::from_json(const Json& j, int32_t vocab_size) {
  if (!j.is_object()) fail(ErrorCode::Format, "tokenizer \"special\" must be an object");
  SpecialTokens s;
  auto read = [&](const char* key, int32_t& out) {
    const Json* v = j.find(key);
    if (!v) return;
    double d = v->is_number() ? v->as_number() : -1;
    if (d < 0 || d >= vocab_size || d != double(int64_t(d)))
      fail(ErrorCode::Format, std::string("tokenizer special token \"") + key + "\" is not a valid id");
    out = int32_t(d);
  };
  read("pad", s.pad);
  read("unk", s.unk);
  read("bos", s.bos);
  read("eos", s.eos);
  return s;
}

std::string sanitize_utf8(std::string_view s) {
  if (utf8_valid(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) utf8_append(out, utf8_next(s, i));
  return out;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string bytes;
  for (int32_t id : ids) bytes += token_bytes(id);
  return sanitize_utf8(bytes);
}

std::string StreamDecoder::feed(int32_t id) {
  pending_ += tok_.token_bytes(id);
  size_t n = utf8_complete_prefix(pending_);
  std::string out = sanitize_utf8(std::string_view(pending_).substr(0, n));
  pending_.erase(0, n);
  return out;
}

std::string StreamDecoder::flush() {
  std::string out = sanitize_utf8(pending_);
  pending_.clear();
  return out;
}

std::unique_ptr<Tokenizer> Tokenizer::from_json(const Json& j) { return from_source(JsonTokenizerSource(j)); }

Json Tokenizer::json() const {
  Json j = to_json();
  if (!chat_template_.empty()) j.set("chat_template", chat_template_);
  return j;
}

std::unique_ptr<Tokenizer> Tokenizer::from_source(const TokenizerSource& src) {
  const Json& j = src.object();
  if (!j.is_object()) fail(ErrorCode::Format, "\"tokenizer\" must be an object");
  const Json* type = j.find("type");
  if (!type || !type->is_string()) fail(ErrorCode::Format, "tokenizer \"type\" must be a string");
  const Json* tmpl = j.find("chat_template");
  if (tmpl && !tmpl->is_string()) fail(ErrorCode::Format, "tokenizer \"chat_template\" must be a string");
  std::unique_ptr<Tokenizer> tok = of_type(type->as_string(), src);
  if (tmpl) tok->set_chat_template(tmpl->as_string());
  return tok;
}

std::unique_ptr<Tokenizer> Tokenizer::of_type(const std::string& t, const TokenizerSource& src) {
  if (t == "char") return CharTokenizer::from_source(src);
  if (t == "bpe") return BpeTokenizer::from_source(src);
  if (t == "word") return WordTokenizer::from_source(src);
  if (t == "spm") return SpmTokenizer::from_source(src);
  fail(ErrorCode::Format, "unknown tokenizer type \"" + t + "\"; this build reads \"char\", \"word\", \"bpe\" and \"spm\"");
}

void fail_not_string_array(const char* key, const std::string& what) {
  fail(ErrorCode::Format, what + " \"" + key + "\" must be an array of strings");
}
void fail_not_string(const char* key, const std::string& what) {
  fail(ErrorCode::Format, what + " \"" + key + "\" must hold only strings");
}

void fail_not_number_array(const char* key, const std::string& what) {
  fail(ErrorCode::Format, what + " \"" + key + "\" must be an array of numbers");
}

bool JsonTokenizerSource::numbers(const char* key, const std::string& what,
                                  const std::function<void(size_t, double)>& f) const {
  const Json* a = j_.is_object() ? j_.find(key) : nullptr;
  if (!a) return false;
  if (!a->is_array()) fail_not_number_array(key, what);
  const auto& items = a->items();
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_number()) fail_not_number_array(key, what);
    f(i, items[i].as_number());
  }
  return true;
}

int64_t JsonTokenizerSource::count(const char* key, const std::string& what) const {
  const Json* a = j_.is_object() ? j_.find(key) : nullptr;
  if (!a) return -1;
  if (!a->is_array()) fail_not_string_array(key, what);
  return int64_t(a->size());
}

void JsonTokenizerSource::strings(const char* key, const std::string& what,
                                  const std::function<void(size_t, std::string&&)>& f) const {
  if (count(key, what) < 0) return;
  const auto& items = j_.find(key)->items();
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string()) fail_not_string(key, what);
    f(i, std::string(items[i].as_string()));
  }
}

}  // namespace sllm
