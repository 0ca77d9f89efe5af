// word_tokenizer.h: a word-level vocabulary, the earliest version of the tokenizer idea, kept
// for comparison and teaching. A "word" is one piece of the GPT-2 pre-tokenizer (see
// pretokenizer.h): a run of letters, of digits or of punctuation with at most one leading
// space (" the", "Hello", ",", " 42"), a contraction ("'s"), or a run of whitespace. The
// vocabulary is the special tokens ([PAD] [UNK] [BOS] [EOS] order; [UNK] always present)
// followed by the most frequent words of the training text, most frequent first (ties in
// byte order).
//
// Since pieces concatenate back to the text, decode(encode(s)) == s whenever every piece of s
// is in the vocabulary. A piece that is not becomes [UNK], which decodes as U+FFFD, so such
// text does not round-trip.
#pragma once
#include "tokenizer/flat_table.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/tokenizer.h"

namespace sllm {

struct WordTokenizerOptions {
  int32_t vocab_size = 8000;  // specials + words; fewer when the text has fewer distinct words
  bool pad = false, bos = false, eos = false;
};

class WordTokenizer : public Tokenizer {
 public:
  // Throws Error(Data) for empty text, Error(InvalidArgument) for a vocab_size too small to
  // hold the special tokens and one word.
  static std::unique_ptr<WordTokenizer> train(std::string_view text, const WordTokenizerOptions& opts = {});
  static std::unique_ptr<WordTokenizer> from_json(const Json& j);
  static std::unique_ptr<WordTokenizer> from_source(const TokenizerSource& src);

  std::string type() const override { return "word"; }
  int32_t vocab_size() const override { return int32_t(tokens_.size()); }
  std::vector<int32_t> encode(std::string_view text, bool allow_special = false) const override;
  std::string token_bytes(int32_t id) const override;
  std::string token_string(int32_t id) const override;
  int32_t token_id(std::string_view s) const override;
  Json to_json() const override;

 private:
  WordTokenizer() = default;
  void index();  // validates tokens_ and builds the lookup table; throws Error(Format)
  void encode_ordinary(std::string_view text, std::vector<int32_t>& out) const;
  bool is_special(int32_t id) const;

  PretokenizerRule rule_ = PretokenizerRule::Gpt2;
  std::vector<std::string> tokens_;  // (V) specials by name, then words
  BytesTable lookup_;                // every token string -> id
};

}  // namespace sllm
