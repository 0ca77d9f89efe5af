// char_as_spm.cpp: see char_as_spm.h.
#include "tokenizer/char_as_spm.h"

#include "core/error.h"

namespace sllm {

SpmVocab char_as_spm_vocab(const Tokenizer& tok) {
  if (tok.type() != "char") fail(ErrorCode::InvalidArgument, "char_as_spm_vocab needs a char tokenizer");
  const SpecialTokens& s = tok.special();
  SpmVocab v;
  v.special = s;
  v.byte_fallback = false;
  v.add_space_prefix = false;
  v.add_bos = false;
  for (int32_t id = 0; id < tok.vocab_size(); ++id) {
    std::string t = tok.token_string(id);
    SpmTokenType type = SpmTokenType::Normal;
    if (id == s.unk)
      type = SpmTokenType::Unknown;
    else if (id == s.pad || id == s.bos || id == s.eos)
      type = SpmTokenType::Control;
    else if (t == " ")
      t = "\xE2\x96\x81";
    else if (t == "\xE2\x96\x81")
      fail(ErrorCode::InvalidArgument,
           "this character vocabulary holds U+2581 (\"\xE2\x96\x81\"), which SentencePiece-style vocabularies "
           "use for the space, so llama.cpp could not tell the two apart; train the vocabulary on text without it");
    v.tokens.push_back(std::move(t));
    v.scores.push_back(0.0f);
    v.types.push_back(int32_t(type));
  }
  return v;
}

}  // namespace sllm
