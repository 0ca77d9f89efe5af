// char_tokenizer.h: one token per Unicode code point. The vocabulary is the optional special
// tokens ([PAD] [UNK] [BOS] [EOS], in that order, first) followed by the sorted unique code
// points of the training text.
#pragma once
#include <unordered_map>

#include "tokenizer/tokenizer.h"

namespace sllm {

struct CharTokenizerOptions {
  bool pad = false, unk = false, bos = false, eos = false;
};

class CharTokenizer : public Tokenizer {
 public:
  // Builds the vocabulary from text. Throws Error(Data) when text is empty.
  static std::unique_ptr<CharTokenizer> train(std::string_view text, const CharTokenizerOptions& opts = {});
  static std::unique_ptr<CharTokenizer> from_json(const Json& j);
  static std::unique_ptr<CharTokenizer> from_source(const TokenizerSource& src);

  std::string type() const override { return "char"; }
  int32_t vocab_size() const override { return int32_t(tokens_.size()); }
  std::vector<int32_t> encode(std::string_view text, bool allow_special = false) const override;
  std::string token_bytes(int32_t id) const override;
  std::string token_string(int32_t id) const override;
  int32_t token_id(std::string_view s) const override;
  Json to_json() const override;

 private:
  void index();  // rebuilds the lookup tables from tokens_
  std::vector<std::string> tokens_;                 // (V) UTF-8 of each entry, in id order
  std::unordered_map<uint32_t, int32_t> cp_to_id_;  // code point -> id, non-special entries
  std::vector<int32_t> ascii_;                      // (128) fast path for ASCII, -1 if absent
};

}  // namespace sllm
