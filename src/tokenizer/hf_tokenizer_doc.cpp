// hf_tokenizer_doc.cpp: reading tokenizer.json into an HfTokenizerDoc (hf_tokenizer_doc.h)
// with the budgeted pull reader: the small members are built, "vocab" and "merges" are walked
// entry by entry after them (so the order of members in the file does not matter).
#include "tokenizer/hf_tokenizer_doc.h"

#include <cmath>

#include "core/error.h"
#include "core/json_reader.h"

namespace sllm {

namespace {

constexpr size_t kAbsent = SIZE_MAX;
constexpr int64_t kMaxId = (int64_t(1) << 24) - 1;

int32_t read_id(const Json& v, const std::string& where) {
  double d = v.is_number() ? v.as_number() : -1;
  if (!(d >= 0) || d != std::floor(d) || d > double(kMaxId)) fail_hf_tokenizer(where + " must be a token id (a whole number below 2^24)");
  return int32_t(d);
}

class DocReader {
 public:
  explicit DocReader(std::string_view text) : r_(text, 64, text.size() * 16 + (1u << 20)) {}

  HfTokenizerDoc run() {
    HfTokenizerDoc d;
    reading([&] {
      r_.skip();  // the whole text, validated first
      r_.end();
      r_.seek(0);
      if (r_.peek_value() != '{') fail_hf_tokenizer("the file is not a JSON object");
      r_.begin_object();
      std::string key;
      while (r_.next_member(key)) {
        r_.peek_value();
        if (key == "model") read_model(d);
        else if (key == "added_tokens") read_added(d, value());
        else if (Json* slot = key == "normalizer" ? &d.normalizer : key == "pre_tokenizer" ? &d.pre_tokenizer
                            : key == "post_processor" ? &d.post_processor : key == "decoder" ? &d.decoder
                            : key == "truncation" ? &d.truncation : key == "padding" ? &d.padding : nullptr)
          *slot = value();
        else
          r_.skip();
      }
      if (!d.model.is_object()) fail_hf_tokenizer("it has no \"model\" object");
      if (vocab_at_ != kAbsent) read_vocab(d);
      if (merges_at_ != kAbsent) read_merges(d);
    });
    return d;
  }

 private:
  JsonReader r_;
  size_t vocab_at_ = kAbsent, merges_at_ = kAbsent;

  template <typename F>
  void reading(F&& f) {
    try {
      f();
    } catch (const Error& e) {
      if (e.code() == ErrorCode::Format) throw;
      fail_hf_tokenizer(std::string(r_.over_budget() ? "it would take more memory to read than its size allows (" : "not valid UTF-8 JSON (") +
                        e.what() + ")");
    }
  }
  Json value() { return r_.entry_value(); }

  void read_model(HfTokenizerDoc& d) {
    if (r_.peek_value() != '{') fail_hf_tokenizer("\"model\" is not an object");
    r_.begin_object();
    d.model = Json::object();
    std::string key;
    while (r_.next_member(key)) {
      r_.peek_value();
      if (key == "vocab" || key == "merges") {
        (key == "vocab" ? vocab_at_ : merges_at_) = r_.pos();
        r_.skip();
      } else {
        d.model.set(key, value());
      }
    }
  }

  void read_added(HfTokenizerDoc& d, const Json& a) {
    if (!a.is_array()) fail_hf_tokenizer("\"added_tokens\" is not an array");
    for (const Json& t : a.items()) {
      const std::string where = "added token " + std::to_string(d.added.size());
      const Json* content = t.is_object() ? t.find("content") : nullptr;
      const Json* id = t.is_object() ? t.find("id") : nullptr;
      if (!content || !content->is_string() || content->as_string().empty() || !id)
        fail_hf_tokenizer(where + " needs an \"id\" and a non-empty \"content\"");
      HfAddedToken at;
      at.id = read_id(*id, where + " \"id\"");
      at.content = content->as_string();
      auto flag = [&](const char* k) {
        const Json* v = t.find(k);
        if (v && !v->is_bool()) fail_hf_tokenizer(where + " \"" + k + "\" must be true or false");
        return v && v->as_bool();
      };
      at.special = flag("special");
      at.lstrip = flag("lstrip");
      at.rstrip = flag("rstrip");
      at.single_word = flag("single_word");
      d.added.push_back(std::move(at));
    }
  }

  void read_vocab(HfTokenizerDoc& d) {
    r_.seek(vocab_at_);
    if (r_.peek_value() != '{') fail_hf_tokenizer("\"model\".\"vocab\" must be an object of token -> id");
    r_.begin_object();
    std::string key;
    while (r_.next_member(key)) {
      const int32_t id = read_id(value(), "the id of vocabulary entry \"" + key + "\"");
      if (size_t(id) >= d.vocab.size()) {
        if (size_t(id) > d.ids.size() + (size_t(1) << 16))
          fail_hf_tokenizer("vocabulary ids are not dense: id " + std::to_string(id) + " with " + std::to_string(d.ids.size()) + " entries before it");
        d.vocab.resize(size_t(id) + 1), d.in_vocab.resize(size_t(id) + 1, 0);
      }
      if (d.in_vocab[size_t(id)])
        fail_hf_tokenizer("the vocabulary gives id " + std::to_string(id) + " to both \"" + d.vocab[size_t(id)] + "\" and \"" + key + "\"");
      if (!d.ids.emplace(key, id).second) fail_hf_tokenizer("the vocabulary lists \"" + key + "\" twice");
      d.in_vocab[size_t(id)] = 1;
      d.vocab[size_t(id)] = std::move(key);
    }
  }

  void read_merges(HfTokenizerDoc& d) {
    r_.seek(merges_at_);
    if (r_.peek_value() != '[') fail_hf_tokenizer("\"model\".\"merges\" must be an array");
    r_.begin_array();
    std::string a, b;
    for (size_t i = 0; r_.next_item(); ++i) {
      const std::string where = "merge " + std::to_string(i);
      char c = r_.peek_value();
      if (c == '"') {  // "left right"
        size_t before = r_.charged();
        std::string s = r_.string();
        r_.refund(r_.charged() - before);
        size_t sp = s.find(' ');
        if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
          fail_hf_tokenizer(where + " \"" + s + "\" is not two tokens separated by one space");
        a = s.substr(0, sp), b = s.substr(sp + 1);
      } else if (c == '[') {  // ["left", "right"]
        Json p = value();
        if (p.size() != 2 || !p.items()[0].is_string() || !p.items()[1].is_string())
          fail_hf_tokenizer(where + " must be a pair of token strings");
        a = p.items()[0].as_string(), b = p.items()[1].as_string();
      } else {
        fail_hf_tokenizer(where + " must be \"left right\" or [\"left\", \"right\"]");
      }
      auto ia = d.ids.find(a), ib = d.ids.find(b);
      if (ia == d.ids.end() || ib == d.ids.end())
        fail_hf_tokenizer(where + " (\"" + a + "\", \"" + b + "\") names a token that is not in the vocabulary");
      d.merges.emplace_back(ia->second, ib->second);
    }
  }
};

}  // namespace

void fail_hf_tokenizer(const std::string& msg) { fail(ErrorCode::Format, "tokenizer.json: " + msg); }

HfTokenizerDoc read_hf_tokenizer_json(std::string_view text) { return DocReader(text).run(); }

}  // namespace sllm
