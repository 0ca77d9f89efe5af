// gguf_tokenizer.cpp: sllm tokenizers <-> GGUF tokenizer.ggml.* metadata (see gguf_tokenizer.h).
// Import reads the GGUF arrays through a TokenizerSource, so the big arrays go straight from
// the file's bytes into the tokenizer, as the SLLM reader does.
#include "format/gguf_tokenizer.h"

#include "core/error.h"
#include "core/utf8.h"
#include "tokenizer/char_as_spm.h"
#include "tokenizer/spm_tokenizer.h"
#include "tokenizer/tokenizer_json.h"

namespace sllm {

namespace {

constexpr int32_t kNormal = 1, kControl = 3;

// sllm's pre-tokenizer rule names and llama.cpp's tokenizer.ggml.pre names for them (the first
// of each is what export writes; import also accepts the others).
struct PreName {
  const char* sllm;
  const char* llama[3];
};
const PreName kPreNames[] = {{"gpt2", {"gpt-2", nullptr, nullptr}}, {"llama3", {"llama-bpe", "llama3", "llama-v3"}}};

const char* const kSpecialKeys[4][2] = {{"pad", "tokenizer.ggml.padding_token_id"}, {"unk", "tokenizer.ggml.unknown_token_id"},
                                        {"bos", "tokenizer.ggml.bos_token_id"}, {"eos", "tokenizer.ggml.eos_token_id"}};

// llama.cpp ends generation at tokens with these texts, and warns when the eos token is not one
// of them (llama-vocab.cpp). sllm's "[EOS]" is written as "<|endoftext|>" (GPT-2's), its text
// kept in kEosTextKey so that import restores it.
const char* const kEogTexts[] = {"<|endoftext|>", "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
                                 "<|end_of_text|>", "<EOT>", "<|eom_id|>"};
constexpr const char* kEosTextKey = "sllm.tokenizer.eos_text";

void rename_eos(GgufWriter& w, std::vector<std::string>& tokens, int32_t eos) {
  if (eos < 0) return;
  for (const char* t : kEogTexts)
    if (tokens[size_t(eos)] == t) return;
  for (const std::string& t : tokens)
    if (t == kEogTexts[0]) return;  // the name is taken: keep the text, llama.cpp warns
  w.add_string(kEosTextKey, tokens[size_t(eos)]);
  tokens[size_t(eos)] = kEogTexts[0];
}

void write_specials(GgufWriter& w, const SpecialTokens& s) {
  const int32_t ids[4] = {s.pad, s.unk, s.bos, s.eos};
  for (int k = 0; k < 4; ++k)
    if (ids[k] >= 0) w.add_u32(kSpecialKeys[k][1], uint32_t(ids[k]));
}

std::vector<std::string> strings_of(const Json& a) {
  std::vector<std::string> out;
  out.reserve(a.size());
  for (const Json& s : a.items()) out.push_back(s.as_string());
  return out;
}

void write_spm(GgufWriter& w, const SpmVocab& v) {
  w.add_string("tokenizer.ggml.model", "llama");
  std::vector<std::string> tokens = v.tokens;
  rename_eos(w, tokens, v.special.eos);
  w.add_strings("tokenizer.ggml.tokens", tokens);
  w.add_f32s("tokenizer.ggml.scores", v.scores);
  w.add_i32s("tokenizer.ggml.token_type", v.types);
  write_specials(w, v.special);
  w.add_bool("tokenizer.ggml.add_bos_token", v.add_bos);
  w.add_bool("tokenizer.ggml.add_eos_token", false);
  w.add_bool("tokenizer.ggml.add_space_prefix", v.add_space_prefix);
}

void write_bpe(GgufWriter& w, const Tokenizer& tok) {
  const Json j = tok.to_json();
  const std::string& rule = j.get_string("pretokenizer");
  const char* pre = nullptr;
  for (const PreName& p : kPreNames)
    if (rule == p.sllm) pre = p.llama[0];
  if (!pre) fail(ErrorCode::InvalidArgument, "the pre-tokenizer rule \"" + rule + "\" has no llama.cpp name; it cannot be written to GGUF");
  std::vector<int32_t> types(size_t(tok.vocab_size()), kNormal);
  for (const Json& id : j.get("specials", Json::Type::Array).items()) types[size_t(id.as_number())] = kControl;
  w.add_string("tokenizer.ggml.model", "gpt2");
  w.add_string("tokenizer.ggml.pre", pre);
  std::vector<std::string> tokens = strings_of(j.get("tokens", Json::Type::Array));
  rename_eos(w, tokens, tok.special().eos);
  w.add_strings("tokenizer.ggml.tokens", tokens);
  w.add_i32s("tokenizer.ggml.token_type", types);
  w.add_strings("tokenizer.ggml.merges", strings_of(j.get("merges", Json::Type::Array)));
  write_specials(w, tok.special());
  const Json* add_bos = j.find("add_bos");
  w.add_bool("tokenizer.ggml.add_bos_token", add_bos && add_bos->is_bool() && add_bos->as_bool());
  w.add_bool("tokenizer.ggml.add_eos_token", false);
}

}  // namespace

void write_gguf_tokenizer(GgufWriter& w, const Tokenizer& tok) {
  const std::string type = tok.type();
  if (type == "bpe")
    write_bpe(w, tok);
  else if (type == "spm")
    write_spm(w, static_cast<const SpmTokenizer&>(tok).vocab());
  else if (type == "char")
    write_spm(w, char_as_spm_vocab(tok));
  else if (type == "word")
    fail(ErrorCode::InvalidArgument,
         "a word-level tokenizer cannot be written to GGUF: llama.cpp has no word-level tokenizer model, and its "
         "BPE and SentencePiece models would split a word outside the vocabulary into pieces instead of mapping it to "
         "[UNK], so the file would not encode text as this model was trained on. Train the model with the byte-level "
         "BPE ('bpe') or the character ('char') tokenizer to export it; keep this one as an .sllm file");
  else
    fail(ErrorCode::InvalidArgument, "a \"" + type + "\" tokenizer cannot be written to GGUF");
  if (!tok.chat_template().empty()) w.add_string("tokenizer.chat_template", tok.chat_template());
}

// ---- import ----------------------------------------------------------------------------------

namespace {

[[noreturn]] void bad(const std::string& msg) { fail(ErrorCode::Format, "invalid GGUF file: " + msg); }

// The GGUF keys as a TokenizerSource: "tokens", "merges", "scores" and "token_types" read from
// the file's arrays; the small members (type, pretokenizer, specials, flags) built in object().
class GgufTokenizerSource final : public TokenizerSource {
 public:
  // eos_text: the text of token eos in sllm, when the file renamed it (kEosTextKey).
  GgufTokenizerSource(const GgufFile& f, Json obj, int32_t eos, std::string eos_text)
      : f_(f), obj_(std::move(obj)), eos_(eos), eos_text_(std::move(eos_text)) {}
  const Json& object() const override { return obj_; }
  int64_t count(const char* key, const std::string&) const override {
    const char* k = gguf_key(key);
    return k && f_.find(k) ? int64_t(f_.array_count(k)) : -1;
  }
  void strings(const char* key, const std::string&, const std::function<void(size_t, std::string&&)>& fn) const override {
    if (const char* k = gguf_key(key); k && f_.find(k))
      f_.each_string(k, [&](size_t i, std::string_view s) {
        fn(i, std::string(int32_t(i) == eos_ && !eos_text_.empty() && std::string_view(key) == "tokens" ? eos_text_ : s));
      });
  }
  bool numbers(const char* key, const std::string&, const std::function<void(size_t, double)>& fn) const override {
    const char* k = gguf_key(key);
    if (!k) return false;
    if (f_.find(k)) {
      f_.each_number(k, fn);
      return true;
    }
    // llama.cpp's defaults for an absent array: scores 0, every token normal.
    const double dflt = std::string_view(key) == "token_types" ? kNormal : 0;
    for (uint64_t i = 0, n = f_.array_count("tokenizer.ggml.tokens"); i < n; ++i) fn(size_t(i), dflt);
    return true;
  }

 private:
  const GgufFile& f_;
  Json obj_;
  int32_t eos_;
  std::string eos_text_;
  static const char* gguf_key(std::string_view key) {
    if (key == "tokens") return "tokenizer.ggml.tokens";
    if (key == "merges") return "tokenizer.ggml.merges";
    if (key == "scores") return "tokenizer.ggml.scores";
    if (key == "token_types") return "tokenizer.ggml.token_type";
    return nullptr;
  }
};

std::vector<int32_t> token_types(const GgufFile& f, uint64_t V) {
  std::vector<int32_t> types(size_t(V), kNormal);
  if (!f.find("tokenizer.ggml.token_type")) return types;
  if (f.array_count("tokenizer.ggml.token_type") != V) bad("\"tokenizer.ggml.token_type\" does not have one entry per token");
  f.each_number("tokenizer.ggml.token_type", [&](size_t i, double t) {
    if (t != double(int32_t(t)) || t < 0 || t > 6) bad("\"tokenizer.ggml.token_type\" " + std::to_string(i) + " is not a token type");
    types[i] = int32_t(t);
  });
  return types;
}

bool flag(const GgufFile& f, const char* key, bool dflt) { return f.find(key) ? f.boolean(key) : dflt; }

// The char form (char_as_spm.h) read back as a char tokenizer: no merges possible, no prefix,
// no byte tokens, every normal token one character, specials under their char-tokenizer names.
std::unique_ptr<Tokenizer> as_char(const GgufFile& f, const std::vector<int32_t>& types, const SpecialTokens& s,
                                   const std::string& eos_text) {
  if (flag(f, "tokenizer.ggml.add_space_prefix", true) || flag(f, "tokenizer.ggml.add_bos_token", true)) return nullptr;
  bool ok = true;
  if (f.find("tokenizer.ggml.scores")) f.each_number("tokenizer.ggml.scores", [&](size_t, double x) { ok = ok && x == 0; });
  Json tokens = Json::array();
  f.each_string("tokenizer.ggml.tokens", [&](size_t i, std::string_view t) {
    if (!ok) return;
    if (int32_t(i) == s.eos && !eos_text.empty()) t = eos_text;
    const int32_t id = int32_t(i);
    const char* name = id == s.pad ? kPadToken : id == s.unk ? kUnkToken : id == s.bos ? kBosToken : id == s.eos ? kEosToken : nullptr;
    size_t at = 0;
    if (name)
      ok = t == name && types[i] == (id == s.unk ? 2 : kControl);
    else
      ok = types[i] == kNormal && !t.empty() && (utf8_next(t, at), at == t.size()) && utf8_valid(t);
    tokens.push(t == "\xE2\x96\x81" ? std::string(" ") : std::string(t));
  });
  if (!ok) return nullptr;
  Json j = Json::object();
  j.set("type", "char");
  j.set("tokens", std::move(tokens));
  try {
    return Tokenizer::from_json(j);
  } catch (const Error&) {
    return nullptr;  // e.g. a character twice: keep it as spm
  }
}

}  // namespace

std::unique_ptr<Tokenizer> read_gguf_tokenizer(const GgufFile& f) {
  const std::string model(f.string("tokenizer.ggml.model"));
  if (!f.find("tokenizer.ggml.tokens")) bad("\"tokenizer.ggml.tokens\" is missing");
  const uint64_t V = f.array_count("tokenizer.ggml.tokens");
  if (V == 0 || V >= (uint64_t(1) << 24)) bad("\"tokenizer.ggml.tokens\" holds " + std::to_string(V) + " tokens");
  const std::vector<int32_t> types = token_types(f, V);
  SpecialTokens s;
  int32_t* slots[4] = {&s.pad, &s.unk, &s.bos, &s.eos};
  for (int k = 0; k < 4; ++k)
    if (f.find(kSpecialKeys[k][1])) {
      const uint64_t id = f.uint(kSpecialKeys[k][1]);
      if (id >= V) bad("\"" + std::string(kSpecialKeys[k][1]) + "\" " + std::to_string(id) + " is not a token id");
      *slots[k] = int32_t(id);
    }
  std::string eos_text;
  if (f.find(kEosTextKey) && s.eos >= 0) eos_text = std::string(f.string(kEosTextKey));
  Json obj = Json::object();
  std::unique_ptr<Tokenizer> tok;
  if (model == "llama") {
    // SentencePiece's conventions, as llama.cpp assumes them, where the keys are absent.
    if (!f.find("tokenizer.ggml.unknown_token_id") && V > 0 && types[0] == 2) s.unk = 0;
    if (!f.find("tokenizer.ggml.bos_token_id") && V > 1 && types[1] == kControl) s.bos = 1;
    if (!f.find("tokenizer.ggml.eos_token_id") && V > 2 && types[2] == kControl) s.eos = 2;
    tok = as_char(f, types, s, eos_text);
    if (!tok) {
      bool byte_tokens = false;
      for (int32_t t : types) byte_tokens = byte_tokens || t == 6;
      obj.set("type", "spm");
      obj.set("byte_fallback", byte_tokens);
      obj.set("add_space_prefix", flag(f, "tokenizer.ggml.add_space_prefix", true));
      obj.set("add_bos", flag(f, "tokenizer.ggml.add_bos_token", true));
      obj.set("special", s.to_json());
      tok = Tokenizer::from_source(GgufTokenizerSource(f, std::move(obj), s.eos, eos_text));
    }
  } else if (model == "gpt2") {
    if (!f.find("tokenizer.ggml.pre"))
      bad("\"tokenizer.ggml.pre\" is missing: llama.cpp then splits text with its \"default\" rule, which this build "
          "does not implement; set it to the model's pre-tokenizer (\"gpt-2\" or \"llama-bpe\")");
    const std::string pre(f.string("tokenizer.ggml.pre"));
    const char* rule = nullptr;
    for (const PreName& p : kPreNames)
      for (const char* name : p.llama)
        if (name && pre == name) rule = p.sllm;
    if (!rule) bad("\"tokenizer.ggml.pre\" is \"" + pre + "\", a pre-tokenizer this build does not implement (it reads \"gpt-2\" and \"llama-bpe\")");
    Json specials = Json::array();
    for (size_t i = 0; i < types.size(); ++i)
      if (types[i] != kNormal && types[i] != 6) specials.push(int64_t(i));
    for (int k = 0; k < 4; ++k)  // a named special that the vocabulary calls normal stays normal
      if (*slots[k] >= 0 && (types[size_t(*slots[k])] == kNormal || types[size_t(*slots[k])] == 6)) *slots[k] = -1;
    if (!f.find("tokenizer.ggml.merges")) bad("\"tokenizer.ggml.merges\" is missing");
    obj.set("type", "bpe");
    obj.set("pretokenizer", rule);
    obj.set("specials", std::move(specials));
    obj.set("special", s.to_json());
    if (flag(f, "tokenizer.ggml.add_bos_token", false)) obj.set("add_bos", true);
    tok = Tokenizer::from_source(GgufTokenizerSource(f, std::move(obj), s.eos, eos_text));
  } else {
    bad("\"tokenizer.ggml.model\" is \"" + model + "\"; this build reads \"gpt2\" (byte-level BPE) and \"llama\" (SentencePiece)");
  }
  if (f.find("tokenizer.chat_template")) tok->set_chat_template(std::string(f.string("tokenizer.chat_template")));
  return tok;
}

}  // namespace sllm
