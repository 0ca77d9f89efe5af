// spm_tokenizer.h: SentencePiece-style BPE as llama.cpp's `llama` tokenizer model (LLaMA 1/2,
// TinyLlama, Mistral v0.1) encodes it, id for id:
//   - spaces become U+2581 ("▁"), and a "▁" is put in front of the text (and after each special
//     token matched in it) when add_space_prefix is set;
//   - the text is split into one symbol per UTF-8 character; the adjacent pair whose
//     concatenation is a vocabulary entry with the highest score is merged, the leftmost on
//     equal scores, until no adjacent pair concatenates to an entry;
//   - a final symbol that is not an entry falls back to its bytes as "<0xXX>" tokens when
//     byte_fallback is set (or a token whose text is that single byte), else to unk.
// Decoding maps "▁" back to a space and byte tokens to their byte, and drops the one space
// the prefix added from the start of the text, as llama.cpp's detokenizer does.
//
// Each token has a type (GGUF's tokenizer.ggml.token_type values): control and unknown tokens
// are special (matched in text only by encode(text, true), decoded as nothing, unk as U+FFFD),
// user-defined tokens are always matched whole in text, byte tokens are "<0xXX>".
#pragma once
#include <unordered_map>

#include "tokenizer/tokenizer.h"

namespace sllm {

enum class SpmTokenType : int32_t { Undefined = 0, Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct SpmVocab {
  std::vector<std::string> tokens;  // UTF-8 text, "▁" for spaces, "<0xXX>" for byte tokens
  std::vector<float> scores;        // merge priority: higher merges first
  std::vector<int32_t> types;       // SpmTokenType values
  SpecialTokens special;            // bos/eos/unk/pad ids (-1 when absent)
  bool byte_fallback = true;
  bool add_space_prefix = true;
  bool add_bos = true;  // whether a prompt should start with bos (llama.cpp's tokenizer.ggml.add_bos_token)
};

class SpmTokenizer : public Tokenizer {
 public:
  // Validates the vocabulary; throws Error(Format) naming what is wrong (sizes that differ,
  // an empty or repeated token, an unknown type, a byte token that is not "<0xXX>", a special
  // id out of range, a score that is not finite).
  static std::unique_ptr<SpmTokenizer> create(SpmVocab vocab);
  static std::unique_ptr<SpmTokenizer> from_json(const Json& j);
  static std::unique_ptr<SpmTokenizer> from_source(const TokenizerSource& src);

  std::string type() const override { return "spm"; }
  int32_t vocab_size() const override { return int32_t(v_.tokens.size()); }
  std::vector<int32_t> encode(std::string_view text, bool allow_special = false) const override;
  std::string token_bytes(int32_t id) const override;
  std::string token_string(int32_t id) const override;
  int32_t token_id(std::string_view s) const override;
  std::string decode(const std::vector<int32_t>& ids) const override;
  Json to_json() const override;

  const SpmVocab& vocab() const { return v_; }
  SpmTokenType token_type(int32_t id) const { return SpmTokenType(v_.types.at(size_t(id))); }

 private:
  SpmTokenizer() = default;
  void index();
  // Appends the tokens of one run of text (spaces already escaped) by the merge rule.
  void encode_run(std::string_view text, std::vector<int32_t>& out) const;
  void fallback(std::string_view ch, std::vector<int32_t>& out) const;  // a character with no token
  int32_t find(std::string_view s) const;

  SpmVocab v_;
  std::unordered_map<std::string, int32_t> by_text_;
  int32_t byte_token_[256] = {};  // "<0xXX>" (or the single-byte entry) per byte, -1 when absent
  std::vector<int32_t> always_split_, special_split_;  // user-defined / + control and unknown, longest first
};

}  // namespace sllm
