// hf_tokenizer_import.cpp: tokenizer.json (read by hf_tokenizer_doc.cpp) to an sllm tokenizer:
// the pipeline is recognized step by step and anything sllm cannot reproduce exactly is
// refused with the reason (see hf_tokenizer.h).
#include <algorithm>

#include "core/error.h"
#include "core/utf8.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/hf_tokenizer.h"
#include "tokenizer/hf_tokenizer_doc.h"
#include "tokenizer/hf_tokenizer_names.h"

namespace sllm {

namespace {

std::string type_of(const Json& j) {
  const Json* t = j.is_object() ? j.find("type") : nullptr;
  return t && t->is_string() ? t->as_string() : "";
}
bool flag(const Json& j, const char* key, bool fallback) {
  const Json* v = j.find(key);
  if (!v || v->is_null()) return fallback;
  if (!v->is_bool()) fail_hf_tokenizer(type_of(j) + " \"" + key + "\" must be true or false");
  return v->as_bool();
}
bool empty_string_or_null(const Json& j, const char* key) {
  const Json* v = j.find(key);
  return !v || v->is_null() || (v->is_string() && v->as_string().empty());
}

// The pre-tokenizer as sllm's rule: `rule` (none when has_rule is false) and whether bytes go
// through GPT-2's byte-level alphabet.
struct Pre {
  bool has_rule = false, byte_level = false;
  PretokenizerRule rule = PretokenizerRule::Gpt2;
};

Pre read_pre_tokenizer(const Json& p) {
  Pre out;
  if (p.is_null()) return out;
  std::vector<const Json*> steps;
  if (type_of(p) == "Sequence") {
    const Json* list = p.find("pretokenizers");
    if (!list || !list->is_array()) fail_hf_tokenizer("pre_tokenizer Sequence has no \"pretokenizers\" array");
    for (const Json& s : list->items()) steps.push_back(&s);
  } else {
    steps.push_back(&p);
  }
  std::string shape;  // the steps as a word per step, e.g. "split:llama3 bytelevel"
  for (const Json* s : steps) {
    const std::string t = type_of(*s);
    if (t == "ByteLevel") {
      if (flag(*s, "add_prefix_space", false))
        fail_hf_tokenizer("the ByteLevel pre-tokenizer has add_prefix_space true (a space added before the text); sllm "
                          "reproduces only add_prefix_space false");
      shape += flag(*s, "use_regex", true) ? " bytelevel:gpt2" : " bytelevel";
    } else if (t == "Split") {
      const Json* pat = s->find("pattern");
      const Json* re = pat && pat->is_object() ? pat->find("Regex") : nullptr;
      if (!re || !re->is_string()) fail_hf_tokenizer("a Split pre-tokenizer without a \"Regex\" pattern is not one sllm implements");
      PretokenizerRule r;
      if (!rule_of_regex(re->as_string(), r))
        fail_hf_tokenizer("the Split regex \"" + re->as_string() + "\" is not one sllm implements (GPT-2's or Llama 3's)");
      const Json* behavior = s->find("behavior");
      if (!behavior || !behavior->is_string() || behavior->as_string() != "Isolated" || flag(*s, "invert", false))
        fail_hf_tokenizer("a Split pre-tokenizer must have behavior \"Isolated\" and invert false");
      shape += std::string(" split:") + pretokenizer_name(r);
    } else if (t == "Digits") {
      if (!flag(*s, "individual_digits", false)) fail_hf_tokenizer("the Digits pre-tokenizer must have individual_digits true");
      shape += " digits";
    } else {
      fail_hf_tokenizer("the pre-tokenizer " + (t.empty() ? s->dump() : t) + " is not one sllm implements");
    }
  }
  auto set = [&](bool byte_level, PretokenizerRule r) { out.has_rule = true, out.byte_level = byte_level, out.rule = r; };
  if (shape == " bytelevel:gpt2") set(true, PretokenizerRule::Gpt2);
  else if (shape == " split:gpt2 bytelevel") set(true, PretokenizerRule::Gpt2);
  else if (shape == " split:llama3 bytelevel") set(true, PretokenizerRule::Llama3);
  else if (shape == " digits bytelevel:gpt2") set(true, PretokenizerRule::Smollm);
  else if (shape == " split:gpt2") set(false, PretokenizerRule::Gpt2);
  else if (shape == " split:llama3") set(false, PretokenizerRule::Llama3);
  else if (!shape.empty())
    fail_hf_tokenizer("the pre-tokenizer steps" + shape + " are not a combination sllm implements (ByteLevel; Split(GPT-2 "
                      "or Llama 3 regex) then ByteLevel; Digits then ByteLevel)");
  return out;
}

// The text of the one special token the post-processor puts before the text; "" for none.
std::string read_post_processor(const Json& p) {
  if (p.is_null()) return "";
  const std::string t = type_of(p);
  if (t == "ByteLevel") return "";
  if (t == "Sequence") {
    const Json* list = p.find("processors");
    if (!list || !list->is_array()) fail_hf_tokenizer("post_processor Sequence has no \"processors\" array");
    std::string bos;
    for (const Json& s : list->items()) {
      std::string b = read_post_processor(s);
      if (!b.empty() && !bos.empty()) fail_hf_tokenizer("the post-processor adds two tokens before the text");
      if (!b.empty()) bos = b;
    }
    return bos;
  }
  if (t != "TemplateProcessing") fail_hf_tokenizer("the post-processor " + t + " is not one sllm implements");
  const Json* single = p.find("single");
  if (!single || !single->is_array()) fail_hf_tokenizer("TemplateProcessing has no \"single\" template");
  std::vector<std::string> parts;
  for (const Json& piece : single->items()) {
    const Json* sp = piece.is_object() ? piece.find("SpecialToken") : nullptr;
    const Json* seq = piece.is_object() ? piece.find("Sequence") : nullptr;
    if (sp && sp->is_object() && sp->find("id") && sp->find("id")->is_string()) parts.push_back(sp->find("id")->as_string());
    else if (seq) parts.push_back("$A");
    else fail_hf_tokenizer("TemplateProcessing \"single\" holds " + piece.dump());
  }
  if (parts == std::vector<std::string>{"$A"}) return "";
  if (parts.size() != 2 || parts[1] != "$A")
    fail_hf_tokenizer("the post-processor's template is not \"$A\" or \"<bos> $A\" (e.g. it appends an end token); sllm "
                      "can only add one token before the text");
  const Json* table = p.find("special_tokens");
  const Json* entry = table && table->is_object() ? table->find(parts[0]) : nullptr;
  const Json* ids = entry && entry->is_object() ? entry->find("ids") : nullptr;
  if (!ids || !ids->is_array() || ids->size() != 1)
    fail_hf_tokenizer("TemplateProcessing's special_tokens must give \"" + parts[0] + "\" exactly one id");
  return parts[0];
}

void check_common(const HfTokenizerDoc& d) {
  if (!d.truncation.is_null()) fail_hf_tokenizer("it sets truncation; sllm encodes whole texts: save it without truncation");
  if (!d.padding.is_null()) fail_hf_tokenizer("it sets padding; sllm encodes one text at a time: save it without padding");
  if (!d.normalizer.is_null()) {
    const Json* list = d.normalizer.find("normalizers");
    if (!(type_of(d.normalizer) == "Sequence" && list && list->is_array() && list->size() == 0))
      fail_hf_tokenizer("the normalizer " + type_of(d.normalizer) + " is not implemented in sllm (it changes the text before "
                        "splitting); only tokenizers without a normalizer can be reproduced exactly");
  }
  for (const HfAddedToken& a : d.added) {
    const std::string what = "the added token \"" + a.content + "\" (id " + std::to_string(a.id) + ")";
    if (!a.special) fail_hf_tokenizer(what + " is not special; sllm matches only special tokens in text");
    if (a.lstrip || a.rstrip || a.single_word) fail_hf_tokenizer(what + " sets lstrip, rstrip or single_word, which sllm does not implement");
    if (!utf8_valid(a.content)) fail_hf_tokenizer(what + " is not UTF-8");
  }
}

void check_decoder(const Json& dec, const char* want) {
  std::string t = type_of(dec);
  if (t == "Sequence") {
    const Json* list = dec.find("decoders");
    if (list && list->is_array() && list->size() == 1) t = type_of(list->items()[0]);
  }
  if (t != want) fail_hf_tokenizer(std::string("the decoder must be ") + want + " for this model, not " + (t.empty() ? "none" : t));
}

int32_t special_id(const std::vector<std::string>& bytes, const std::vector<uint8_t>& special, const std::string& text,
                   const char* role) {
  for (size_t id = 0; id < bytes.size(); ++id)
    if (special[id] && bytes[id] == text) return int32_t(id);
  fail(ErrorCode::Format, std::string("tokenizer_config.json names \"") + text + "\" as " + role +
                              ", which is not one of tokenizer.json's special tokens");
}

std::unique_ptr<Tokenizer> byte_level_bpe(HfTokenizerDoc& d, const Pre& pre, const HfTokenizerConfig* cfg) {
  const Json& m = d.model;
  const Json* dropout = m.find("dropout");
  if (dropout && !dropout->is_null()) fail_hf_tokenizer("BPE dropout makes encodings random; sllm reproduces only dropout null");
  if (!empty_string_or_null(m, "continuing_subword_prefix") || !empty_string_or_null(m, "end_of_word_suffix"))
    fail_hf_tokenizer("BPE with a continuing_subword_prefix or end_of_word_suffix is not byte-level BPE");
  check_decoder(d.decoder, "ByteLevel");
  BpeTokenizer::Parts parts;
  size_t V = d.vocab.size();
  for (const HfAddedToken& a : d.added) V = std::max(V, size_t(a.id) + 1);
  if (V > d.ids.size() + d.added.size() + (size_t(1) << 16)) fail_hf_tokenizer("token ids are not dense");
  parts.bytes.resize(V);
  parts.special_flag.assign(V, 0);
  for (const HfAddedToken& a : d.added) {
    if (parts.special_flag[size_t(a.id)]) fail_hf_tokenizer("two added tokens take id " + std::to_string(a.id));
    if (size_t(a.id) < d.vocab.size() && d.in_vocab[size_t(a.id)] && d.vocab[size_t(a.id)] != a.content)
      fail_hf_tokenizer("the added token \"" + a.content + "\" takes id " + std::to_string(a.id) + ", which the vocabulary gives to \"" +
                        d.vocab[size_t(a.id)] + "\"");
    parts.special_flag[size_t(a.id)] = 1;
    parts.bytes[size_t(a.id)] = a.content;
  }
  for (size_t id = 0; id < d.vocab.size(); ++id) {
    if (!d.in_vocab[id] || parts.special_flag[id]) continue;
    if (!byte_level_decode(d.vocab[id], parts.bytes[id]) || parts.bytes[id].empty())
      fail_hf_tokenizer("the vocabulary entry \"" + d.vocab[id] + "\" is not a byte-level string (GPT-2's byte alphabet)");
  }
  BpeTokenizer::fill_unused_ids(parts.bytes, parts.special_flag, 0);
  parts.merges = std::move(d.merges);
  parts.rule = pre.rule;
  parts.merge_rule = flag(m, "ignore_merges", false) ? BpeMergeRule::HfIgnoreMerges : BpeMergeRule::Hf;
  const std::string bos = read_post_processor(d.post_processor);
  if (cfg) {
    if (!cfg->eos.empty()) parts.special.eos = special_id(parts.bytes, parts.special_flag, cfg->eos, "eos_token");
    if (!cfg->pad.empty()) parts.special.pad = special_id(parts.bytes, parts.special_flag, cfg->pad, "pad_token");
    if (!cfg->bos.empty()) parts.special.bos = special_id(parts.bytes, parts.special_flag, cfg->bos, "bos_token");
  } else {
    for (const char* name : kEosNames)
      for (size_t id = 0; id < V && parts.special.eos < 0; ++id)
        if (parts.special_flag[id] && parts.bytes[id] == name) parts.special.eos = int32_t(id);
  }
  if (!bos.empty()) {
    int32_t id = -1;
    for (size_t i = 0; i < V && id < 0; ++i)
      if (parts.special_flag[i] && parts.bytes[i] == bos) id = int32_t(i);
    if (id < 0) fail_hf_tokenizer("the post-processor adds \"" + bos + "\", which is not one of its special tokens");
    if (parts.special.bos >= 0 && parts.special.bos != id)
      fail_hf_tokenizer("the post-processor adds \"" + bos + "\" but tokenizer_config.json names another bos_token");
    parts.special.bos = id;
    parts.add_bos = true;
  }
  return BpeTokenizer::from_parts(std::move(parts));
}

// sllm's char and word forms: the vocabulary in id order, specials by their sllm names.
std::unique_ptr<Tokenizer> listed_form(const HfTokenizerDoc& d, const char* type, PretokenizerRule rule) {
  const std::string what = std::string("a ") + type + " tokenizer";
  Json toks = Json::array();
  std::vector<std::string> by_id(d.vocab);
  by_id.resize(std::max(by_id.size(), d.added.empty() ? size_t(0) : size_t(std::max_element(d.added.begin(), d.added.end(), [](auto& a, auto& b) { return a.id < b.id; })->id) + 1));
  std::vector<uint8_t> have(d.in_vocab);
  have.resize(by_id.size(), 0);
  for (const HfAddedToken& a : d.added) {
    if (!is_sllm_special_name(a.content))
      fail_hf_tokenizer("as " + what + ", its special tokens must be [PAD], [UNK], [BOS] or [EOS], not \"" + a.content + "\"");
    if (have[size_t(a.id)] && by_id[size_t(a.id)] != a.content) fail_hf_tokenizer("the added token \"" + a.content + "\" clashes with the vocabulary");
    by_id[size_t(a.id)] = a.content, have[size_t(a.id)] = 1;
  }
  for (size_t id = 0; id < by_id.size(); ++id) {
    if (!have[id]) fail_hf_tokenizer("as " + what + ", its ids must be dense; id " + std::to_string(id) + " is missing");
    if (is_sllm_special_name(by_id[id]) &&
        std::none_of(d.added.begin(), d.added.end(), [&](const HfAddedToken& a) { return size_t(a.id) == id; }))
      fail_hf_tokenizer("\"" + by_id[id] + "\" must be a special added token");
    toks.push(by_id[id]);
  }
  const Json* unk = d.model.find("unk_token");
  if (unk && !unk->is_null() && !(unk->is_string() && unk->as_string() == "[UNK]"))
    fail_hf_tokenizer("as " + what + ", its unk_token must be [UNK]");
  Json j = Json::object();
  j.set("type", type);
  if (std::string(type) == "word") j.set("pretokenizer", pretokenizer_name(rule));
  j.set("tokens", std::move(toks));
  return Tokenizer::from_json(j);
}

}  // namespace

std::unique_ptr<Tokenizer> tokenizer_from_hf(std::string_view tokenizer_json, const HfTokenizerConfig* config) {
  HfTokenizerDoc d = read_hf_tokenizer_json(tokenizer_json);
  check_common(d);
  const std::string model = type_of(d.model);
  const Pre pre = read_pre_tokenizer(d.pre_tokenizer);
  std::unique_ptr<Tokenizer> tok;
  if (model == "BPE" && pre.byte_level) {
    tok = byte_level_bpe(d, pre, config);
  } else if (model == "BPE" && !pre.has_rule && d.merges.empty()) {
    check_decoder(d.decoder, "Fuse");
    if (flag(d.model, "byte_fallback", false)) fail_hf_tokenizer("as a char tokenizer, byte_fallback must be false");
    if (!read_post_processor(d.post_processor).empty()) fail_hf_tokenizer("as a char tokenizer, it cannot add a BOS");
    tok = listed_form(d, "char", pre.rule);
  } else if (model == "WordLevel" && pre.has_rule && !pre.byte_level) {
    check_decoder(d.decoder, "Fuse");
    if (!read_post_processor(d.post_processor).empty()) fail_hf_tokenizer("as a word tokenizer, it cannot add a BOS");
    tok = listed_form(d, "word", pre.rule);
  } else if (model == "BPE") {
    fail_hf_tokenizer("a BPE model without the ByteLevel pre-tokenizer (SentencePiece-style BPE) is not one sllm "
                      "reproduces; sllm reads byte-level BPE (GPT-2, SmolLM, Llama 3)");
  } else {
    fail_hf_tokenizer("the model type \"" + model + "\" is not supported; sllm reads byte-level BPE (GPT-2, SmolLM, "
                      "Llama 3) and the char and word forms it writes");
  }
  if (config && !config->chat_template.empty()) tok->set_chat_template(config->chat_template);
  return tok;
}

}  // namespace sllm
