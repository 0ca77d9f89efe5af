// header_reader.cpp: the SLLM header read within a memory budget (see header_reader.h).
#include "format/header_reader.h"

#include "core/error.h"

namespace sllm {

namespace {
[[noreturn]] void bad(const std::string& msg) { fail(ErrorCode::Format, "invalid SLLM file: " + msg); }
[[noreturn]] void bad_json(const Error& e, const JsonReader& r) {
  if (r.over_budget())
    bad(std::string("the header would take more memory to read than the whole file's size (") + e.what() + ")");
  bad(std::string("the header is not valid UTF-8 JSON (") + e.what() + ")");
}
// Runs f, which reads with r: its JSON errors (bad text, or over the budget) become format errors.
template <typename F>
auto reading(const JsonReader& r, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    if (e.code() == ErrorCode::Format) throw;
    bad_json(e, r);
  }
}
}  // namespace

// The tokenizer member: the small members the tokenizers read, built; the big arrays ("tokens",
// "merges", and spm's "scores" and "token_types"), which strings() and numbers() read from the
// text one element at a time (each string's memory then belongs to the tokenizer); anything
// else skipped.
class HeaderReader::Tokenizer final : public TokenizerSource {
 public:
  Tokenizer(HeaderReader& h) : h_(h) {
    JsonReader& r = h.r_;
    r.seek(h.tokenizer_at_);
    r.begin_object();
    obj_ = Json::object();
    std::string key;
    while (r.next_member(key)) {
      r.peek_value();
      const int a = array_index(key.c_str());
      if (a >= 0) {
        if (at_[a] != kAbsent) r.error("duplicate key \"" + key + "\"");
        at_[a] = r.pos();
        r.skip();
      } else if (key == "type" || key == "pretokenizer" || key == "specials" || key == "special" ||
                 key == "byte_fallback" || key == "add_space_prefix" || key == "add_bos" || key == "chat_template" ||
                 key == "merge_rule") {
        if (obj_.find(key)) r.error("duplicate key \"" + key + "\"");
        obj_.set(key, r.value());
      } else {
        r.skip();
      }
    }
  }
  const Json& object() const override { return obj_; }
  int64_t count(const char* key, const std::string& what) const override {
    const int a = array_index(key);
    if (a < 0 || at_[a] == kAbsent) return -1;
    if (counts_[a] >= 0) return counts_[a];  // counted before: counting walks the whole array
    JsonReader& r = h_.r_;
    r.seek(at_[a]);
    if (r.peek_value() != '[') fail_not_string_array(key, what);
    return counts_[a] = int64_t(r.count_items());  // valid JSON: the first pass checked
  }
  void strings(const char* key, const std::string& what,
               const std::function<void(size_t, std::string&&)>& f) const override {
    if (count(key, what) < 0) return;
    JsonReader& r = h_.r_;
    r.seek(at_[array_index(key)]);
    r.begin_array();
    for (size_t i = 0; r.next_item(); ++i) {
      if (r.peek_value() != '"') fail_not_string(key, what);
      size_t before = r.charged();
      std::string s = reading(r, [&] { return r.string(); });  // over the budget: too long for the file
      r.refund(r.charged() - before);  // the tokenizer keeps it: part of the model, not the header
      const size_t resume = r.pos();
      f(i, std::move(s));
      r.seek(resume);
    }
  }
  bool numbers(const char* key, const std::string& what, const std::function<void(size_t, double)>& f) const override {
    const int a = array_index(key);
    if (a < 0 || at_[a] == kAbsent) return false;
    JsonReader& r = h_.r_;
    r.seek(at_[a]);
    if (r.peek_value() != '[') fail_not_number_array(key, what);
    r.begin_array();
    for (size_t i = 0; r.next_item(); ++i) {
      if (r.peek_value() == '"' || r.peek_value() == '[' || r.peek_value() == '{') fail_not_number_array(key, what);
      size_t before = r.charged();
      Json x = reading(r, [&] { return r.value(); });
      r.refund(r.charged() - before);
      if (!x.is_number()) fail_not_number_array(key, what);
      const size_t resume = r.pos();
      f(i, x.as_number());
      r.seek(resume);
    }
    return true;
  }

 private:
  static constexpr const char* kArrays[4] = {"tokens", "merges", "scores", "token_types"};
  static int array_index(const char* key) {
    for (int a = 0; a < 4; ++a)
      if (std::string_view(key) == kArrays[a]) return a;
    return -1;
  }
  HeaderReader& h_;
  Json obj_;
  size_t at_[4] = {kAbsent, kAbsent, kAbsent, kAbsent};
  mutable int64_t counts_[4] = {-1, -1, -1, -1};  // element counts, once counted
};

HeaderReader::HeaderReader(std::string_view text, size_t budget) : r_(text, 64, budget) {
  reading(r_, [&] {
    r_.skip();  // the whole header, validated without storing anything
    r_.end();
    r_.seek(0);
    if (r_.peek_value() != '{') bad("the header is not a JSON object");
    r_.begin_object();
    std::string key;
    while (r_.next_member(key)) {
      size_t* at = key == "model" ? &model_at_ : key == "tokenizer" ? &tokenizer_at_ : key == "tensors" ? &tensors_at_
                 : key == "training" ? &training_at_ : key == "metadata" ? &metadata_at_ : nullptr;
      r_.peek_value();
      if (at) {
        if (*at != kAbsent) r_.error("duplicate key \"" + key + "\"");
        *at = r_.pos();
      }
      r_.skip();
    }
  });
  auto kind = [&](size_t at) { return at == kAbsent ? '\0' : (r_.seek(at), r_.peek_value()); };
  if (kind(model_at_) != '{') bad("the header's \"model\" member is missing or not an object");
  if (kind(tokenizer_at_) != '{') bad("the header's \"tokenizer\" member is missing or not an object");
  if (kind(tensors_at_) != '[') bad("the header's \"tensors\" member is missing or not an array");
  if (training_at_ != kAbsent && kind(training_at_) != '{') bad("the header's \"training\" member is not an object");
  if (metadata_at_ != kAbsent && kind(metadata_at_) != '{') bad("the header's \"metadata\" member is not an object");
  if (metadata_at_ != kAbsent) {
    metadata_ = build(metadata_at_);
    for (const auto& m : metadata_.members())
      if (!m.second.is_string()) bad("metadata \"" + m.first + "\" is not a string");
  }
  model_ = build(model_at_);
  if (training_at_ != kAbsent) training_ = build(training_at_);
}

HeaderReader::~HeaderReader() = default;

Json HeaderReader::build(size_t at) {
  r_.seek(at);
  return reading(r_, [&] { return r_.value(); });  // only the budget can fail: the text was validated
}

size_t HeaderReader::tensor_count() {
  r_.seek(tensors_at_);
  return r_.count_items();
}

void HeaderReader::each_tensor(const std::function<void(size_t, const Json&)>& f) {
  r_.seek(tensors_at_);
  r_.begin_array();
  for (size_t i = 0; r_.next_item(); ++i) {
    size_t before = r_.charged();
    Json entry = reading(r_, [&] { return r_.value(); });
    const size_t resume = r_.pos();
    f(i, entry);
    entry = Json();
    r_.refund(r_.charged() - before);
    r_.seek(resume);
  }
}

const TokenizerSource& HeaderReader::tokenizer() {
  if (!tokenizer_) {
    tokenizer_ = reading(r_, [&] { return std::make_unique<Tokenizer>(*this); });
  }
  return *tokenizer_;
}

}  // namespace sllm
