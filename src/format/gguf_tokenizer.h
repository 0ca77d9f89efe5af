// gguf_tokenizer.h: sllm tokenizers as GGUF's tokenizer.ggml.* metadata, both ways.
//   - byte-level BPE <-> tokenizer.ggml.model "gpt2": tokens (GPT-2's byte-level strings), merges,
//     token types (specials as control tokens), the pre-tokenizer by llama.cpp's name ("gpt-2"
//     for GPT-2's split rule; "llama-bpe" for Llama 3's, when this build has that rule);
//   - spm <-> "llama" (SentencePiece BPE: scores, token types, byte tokens, space prefix);
//   - char -> "llama" with one piece per character (char_as_spm.h), which llama.cpp encodes to
//     the same ids; such a vocabulary reads back as a char tokenizer;
//   - the word tokenizer has no GGUF form: exporting it is an error saying why.
// bos/eos/unk/pad ids, add_bos and tokenizer.chat_template are kept both ways.
#pragma once
#include <memory>

#include "format/gguf_reader.h"
#include "format/gguf_writer.h"
#include "tokenizer/tokenizer.h"

namespace sllm {

// Adds tok's tokenizer.ggml.* keys (and tokenizer.chat_template). Throws Error(InvalidArgument)
// for a tokenizer GGUF cannot express, with what to use instead.
void write_gguf_tokenizer(GgufWriter& w, const Tokenizer& tok);

// The tokenizer a GGUF file's metadata describes. Throws Error(Format) naming the key for a
// model or pre-tokenizer this build does not implement, or a malformed vocabulary.
std::unique_ptr<Tokenizer> read_gguf_tokenizer(const GgufFile& f);

}  // namespace sllm
