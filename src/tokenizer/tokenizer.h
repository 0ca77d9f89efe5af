// tokenizer.h: the interface every tokenizer implements (char now; word and byte-level BPE
// beside it), the special-token table, the streaming decoder and the JSON factory that
// restores a tokenizer from an SLLM file's `tokenizer` member.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"

namespace sllm {

class TokenizerSource;

// Ids of the special tokens, -1 when the vocabulary lacks one.
struct SpecialTokens {
  int32_t pad = -1, unk = -1, bos = -1, eos = -1;
  Json to_json() const;                        // {"pad":0,...} only for present ones
  static SpecialTokens from_json(const Json&, int32_t vocab_size);
};

// The names of the four standard special tokens, as they appear in a vocabulary.
inline constexpr const char* kPadToken = "[PAD]";
inline constexpr const char* kUnkToken = "[UNK]";
inline constexpr const char* kBosToken = "[BOS]";
inline constexpr const char* kEosToken = "[EOS]";

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  virtual std::string type() const = 0;  // "char", "word", "bpe" or "spm"
  virtual int32_t vocab_size() const = 0;

  // Text to ids. Text is UTF-8; invalid bytes are treated as U+FFFD. When allow_special is
  // true, the exact strings of special tokens in the text (e.g. "[EOS]") map to their ids.
  // Text the vocabulary cannot express maps to [UNK] if present, else throws Error(Tokenizer).
  virtual std::vector<int32_t> encode(std::string_view text, bool allow_special = false) const = 0;

  // The bytes a token contributes to decoded text. Special tokens contribute nothing, except
  // [UNK], which decodes as U+FFFD. For byte-level tokenizers this may be part of a UTF-8
  // sequence. Throws Error(InvalidArgument) for an id outside the vocabulary.
  virtual std::string token_bytes(int32_t id) const = 0;

  // The vocabulary entry as a display string (e.g. "[EOS]" or "ing"); -1 from token_id when
  // no entry equals s.
  virtual std::string token_string(int32_t id) const = 0;
  virtual int32_t token_id(std::string_view s) const = 0;

  // Ids to text: the concatenated token_bytes, with invalid UTF-8 replaced by U+FFFD (a
  // tokenizer that adds text when encoding, as spm's space prefix, removes it here).
  virtual std::string decode(const std::vector<int32_t>& ids) const;

  const SpecialTokens& special() const { return special_; }

  // The SLLM file's `tokenizer` member: enough to reproduce encode and decode exactly.
  virtual Json to_json() const = 0;
  // to_json() with the chat template beside "type" when there is one: what files store.
  Json json() const;

  // The model's chat template (Jinja, as GGUF's tokenizer.chat_template), empty when none.
  const std::string& chat_template() const { return chat_template_; }
  void set_chat_template(std::string t) { chat_template_ = std::move(t); }

  // Restores any tokenizer type from its to_json(); throws Error(Format) naming what is wrong.
  static std::unique_ptr<Tokenizer> from_json(const Json& j);
  // The same from a source that may stream the big string arrays (tokenizer_json.h).
  static std::unique_ptr<Tokenizer> from_source(const TokenizerSource& src);

 protected:
  static std::unique_ptr<Tokenizer> of_type(const std::string& type, const TokenizerSource& src);

  SpecialTokens special_;
  std::string chat_template_;
};

// Turns a stream of ids into text pieces that are always complete UTF-8: a character split
// across tokens is held back until its last byte arrives.
class StreamDecoder {
 public:
  explicit StreamDecoder(const Tokenizer& tok) : tok_(tok) {}
  std::string feed(int32_t id);  // complete text so far not yet returned
  std::string flush();           // whatever is left (an unfinished sequence becomes U+FFFD)

 private:
  const Tokenizer& tok_;
  std::string pending_;
};

// Replaces invalid UTF-8 in s with U+FFFD per maximal subpart.
std::string sanitize_utf8(std::string_view s);

}  // namespace sllm
