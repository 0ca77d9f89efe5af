// hf_tokenizer_export.cpp: any sllm tokenizer as Hugging Face's tokenizer.json and
// tokenizer_config.json, and reading tokenizer_config.json (see hf_tokenizer.h for the forms).
#include <algorithm>

#include "core/error.h"
#include "core/json_reader.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/hf_tokenizer.h"
#include "tokenizer/hf_tokenizer_names.h"

namespace sllm {

namespace {

Json object(std::initializer_list<std::pair<const char*, Json>> members) {
  Json j = Json::object();
  for (const auto& [k, v] : members) j.set(k, v);
  return j;
}
Json array(std::initializer_list<Json> items) {
  Json j = Json::array();
  for (const Json& v : items) j.push(v);
  return j;
}
Json byte_level(bool use_regex, bool post = false) {
  return object({{"type", "ByteLevel"}, {"add_prefix_space", post}, {"trim_offsets", !post}, {"use_regex", use_regex}});
}
Json split(PretokenizerRule rule) {
  return object({{"type", "Split"}, {"pattern", object({{"Regex", pretokenizer_regex(rule)}})}, {"behavior", "Isolated"}, {"invert", false}});
}
Json added_token(int32_t id, const std::string& content) {
  return object({{"id", id}, {"content", content}, {"single_word", false}, {"lstrip", false}, {"rstrip", false},
                 {"normalized", false}, {"special", true}});
}
Json fuse() { return object({{"type", "Fuse"}}); }

Json pre_tokenizer(PretokenizerRule rule) {
  switch (rule) {
    case PretokenizerRule::Llama3:
      return object({{"type", "Sequence"}, {"pretokenizers", array({split(rule), byte_level(false)})}});
    case PretokenizerRule::Smollm:
      return object({{"type", "Sequence"},
                     {"pretokenizers", array({object({{"type", "Digits"}, {"individual_digits", true}}), byte_level(true)})}});
    default:
      return byte_level(true);
  }
}

Json bos_template(const std::string& bos, int32_t id) {
  Json sp = object({{"SpecialToken", object({{"id", bos}, {"type_id", 0}})}});
  Json a = object({{"Sequence", object({{"id", "A"}, {"type_id", 0}})}});
  Json b = object({{"Sequence", object({{"id", "B"}, {"type_id", 1}})}});
  Json sp1 = object({{"SpecialToken", object({{"id", bos}, {"type_id", 1}})}});
  Json table = Json::object();
  table.set(bos, object({{"id", bos}, {"ids", array({id})}, {"tokens", array({bos})}}));
  return object({{"type", "TemplateProcessing"}, {"single", array({sp, a})}, {"pair", array({sp, a, sp1, b})}, {"special_tokens", table}});
}

// The merges as Hugging Face's BPE applies them. For tiktoken's rule: every split of every
// token into two ordinary tokens, tokens in rank order, splits by the parts' ranks (bytes first).
Json bpe_merges(const BpeTokenizer& tok) {
  Json out = Json::array();
  auto name = [&](int32_t id) { return tok.token_string(id); };
  if (tok.merge_rule() != BpeMergeRule::Tiktoken) {
    for (int32_t r = 0; r < tok.num_merges(); ++r) out.push(name(tok.merge(r).first) + " " + name(tok.merge(r).second));
    return out;
  }
  const int32_t V = tok.vocab_size();
  std::vector<int64_t> rank(size_t(V), -1);  // bytes -1, merged tokens their merge index
  std::vector<int32_t> made;
  for (int32_t r = 0; r < tok.num_merges(); ++r) {
    auto [a, b] = tok.merge(r);
    int32_t t = tok.token_id(byte_level_encode(tok.token_bytes(a) + tok.token_bytes(b)));
    rank[size_t(t)] = r;
    made.push_back(t);
  }
  auto key = [&](int32_t id) { return std::make_pair(rank[size_t(id)], id); };
  std::vector<std::pair<int32_t, int32_t>> splits;
  for (int32_t t : made) {
    const std::string bytes = tok.token_bytes(t);
    splits.clear();
    for (size_t s = 1; s < bytes.size(); ++s) {
      int32_t l = tok.token_id(byte_level_encode(bytes.substr(0, s))), r = tok.token_id(byte_level_encode(bytes.substr(s)));
      if (l >= 0 && r >= 0 && !tok.is_special(l) && !tok.is_special(r)) splits.emplace_back(l, r);
    }
    std::sort(splits.begin(), splits.end(), [&](auto& x, auto& y) {
      return std::make_pair(key(x.first), key(x.second)) < std::make_pair(key(y.first), key(y.second));
    });
    for (auto [l, r] : splits) out.push(name(l) + " " + name(r));
  }
  return out;
}

Json bpe_json(const BpeTokenizer& tok) {
  Json vocab = Json::object(), added = Json::array();
  for (int32_t id = 0; id < tok.vocab_size(); ++id)
    if (tok.is_special(id)) added.push(added_token(id, tok.token_string(id)));
    else vocab.set(tok.token_string(id), id);
  const int32_t bos = tok.special().bos;
  Json post = tok.add_bos() ? object({{"type", "Sequence"}, {"processors", array({byte_level(true, true), bos_template(tok.token_string(bos), bos)})}})
                            : byte_level(true, true);
  Json model = object({{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", nullptr},
                       {"end_of_word_suffix", nullptr}, {"fuse_unk", false}, {"byte_fallback", false},
                       {"ignore_merges", tok.merge_rule() != BpeMergeRule::Hf}, {"vocab", std::move(vocab)}, {"merges", bpe_merges(tok)}});
  return object({{"added_tokens", std::move(added)}, {"normalizer", nullptr}, {"pre_tokenizer", pre_tokenizer(tok.pretokenizer())},
                 {"post_processor", std::move(post)}, {"decoder", byte_level(true)}, {"model", std::move(model)}});
}

// char and word: the vocabulary as written, the four named specials as added tokens.
Json listed_json(const Tokenizer& tok) {
  const SpecialTokens& s = tok.special();
  Json vocab = Json::object(), added = Json::array();
  for (int32_t id = 0; id < tok.vocab_size(); ++id) {
    const bool special = id == s.pad || id == s.unk || id == s.bos || id == s.eos;
    if (special) added.push(added_token(id, tok.token_string(id)));
    else vocab.set(tok.token_string(id), id);
  }
  Json unk = s.unk >= 0 ? Json(kUnkToken) : Json(nullptr);
  Json model, pre;
  if (tok.type() == "char") {
    model = object({{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", unk}, {"continuing_subword_prefix", nullptr},
                    {"end_of_word_suffix", nullptr}, {"fuse_unk", false}, {"byte_fallback", false}, {"ignore_merges", false},
                    {"vocab", std::move(vocab)}, {"merges", Json::array()}});
  } else {
    PretokenizerRule rule;
    const Json j = tok.to_json();
    if (!parse_pretokenizer_name(j.get_string("pretokenizer"), rule) || rule == PretokenizerRule::Smollm)
      fail(ErrorCode::InvalidArgument, "this word tokenizer's pre-tokenizer has no Hugging Face Split form");
    model = object({{"type", "WordLevel"}, {"vocab", std::move(vocab)}, {"unk_token", unk}});
    pre = split(rule);
  }
  return object({{"added_tokens", std::move(added)}, {"normalizer", nullptr}, {"pre_tokenizer", pre},
                 {"post_processor", nullptr}, {"decoder", fuse()}, {"model", std::move(model)}});
}

std::string config_value(const Json& v, const char* key) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.as_string();
  const Json* c = v.is_object() ? v.find("content") : nullptr;
  if (c && c->is_string()) return c->as_string();
  fail(ErrorCode::Format, std::string("invalid tokenizer_config.json: \"") + key + "\" must be a string or {\"content\": string}");
}

}  // namespace

HfTokenizerConfig parse_tokenizer_config(std::string_view text) {
  Json j;
  try {
    j = JsonReader::parse_bounded(text);
  } catch (const Error& e) {
    fail(ErrorCode::Format, std::string("invalid tokenizer_config.json: not valid UTF-8 JSON (") + e.what() + ")");
  }
  if (!j.is_object()) fail(ErrorCode::Format, "invalid tokenizer_config.json: not a JSON object");
  HfTokenizerConfig c;
  std::pair<const char*, std::string*> names[] = {{"bos_token", &c.bos}, {"eos_token", &c.eos}, {"pad_token", &c.pad}, {"unk_token", &c.unk}};
  for (auto [key, out] : names)
    if (const Json* v = j.find(key)) *out = config_value(*v, key);
  if (const Json* t = j.find("chat_template")) {
    if (t->is_string()) {
      c.chat_template = t->as_string();
    } else if (t->is_array()) {
      for (const Json& e : t->items()) {
        const Json* name = e.is_object() ? e.find("name") : nullptr;
        const Json* tmpl = e.is_object() ? e.find("template") : nullptr;
        if (!name || !name->is_string() || !tmpl || !tmpl->is_string())
          fail(ErrorCode::Format, "invalid tokenizer_config.json: \"chat_template\" list entries must be {name, template}");
        if (name->as_string() == "default") c.chat_template = tmpl->as_string();
      }
    } else if (!t->is_null()) {
      fail(ErrorCode::Format, "invalid tokenizer_config.json: \"chat_template\" must be a string or a list of {name, template}");
    }
  }
  return c;
}

HfTokenizerFiles tokenizer_to_hf(const Tokenizer& tok, int64_t model_max_length) {
  Json j = object({{"version", "1.0"}, {"truncation", nullptr}, {"padding", nullptr}});
  const auto* bpe = dynamic_cast<const BpeTokenizer*>(&tok);
  Json body;
  if (bpe) body = bpe_json(*bpe);
  else if (tok.type() == "char" || tok.type() == "word") body = listed_json(tok);
  else fail(ErrorCode::InvalidArgument, "a " + tok.type() + " tokenizer has no Hugging Face tokenizer.json form in sllm");
  for (auto& [k, v] : body.members()) j.set(k, std::move(v));

  const SpecialTokens& s = tok.special();
  auto name = [&](int32_t id) { return id >= 0 ? Json(tok.token_string(id)) : Json(nullptr); };
  Json cfg = object({{"add_bos_token", bpe && bpe->add_bos()}, {"add_eos_token", false}, {"bos_token", name(s.bos)},
                     {"eos_token", name(s.eos)}, {"pad_token", name(s.pad)}, {"unk_token", bpe ? Json(nullptr) : name(s.unk)},
                     {"clean_up_tokenization_spaces", false}, {"tokenizer_class", "PreTrainedTokenizerFast"}});
  if (model_max_length > 0) cfg.set("model_max_length", model_max_length);
  if (!tok.chat_template().empty()) cfg.set("chat_template", tok.chat_template());
  return {j.dump(), cfg.dump()};
}

}  // namespace sllm
