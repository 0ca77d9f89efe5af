// hf_tokenizer.h: Hugging Face's tokenizer.json (the `tokenizers` library's format) and
// tokenizer_config.json, in and out.
//
// Import reproduces Hugging Face's encoding exactly or refuses with the reason; it never
// approximates. What it reads:
//  - byte-level BPE, as GPT-2, SmolLM and Llama 3 use: model BPE (vocab; merges as "a b" strings
//    or ["a", "b"] pairs; ignore_merges), special added tokens, the pre-tokenizer ByteLevel with
//    use_regex (GPT-2's regex), Sequence[Split(GPT-2's or Llama 3's regex, Isolated), ByteLevel]
//    or Sequence[Digits(individual_digits), ByteLevel] (SmolLM), add_prefix_space false, the
//    ByteLevel decoder, and a post-processor that adds nothing or one BOS (TemplateProcessing
//    "<bos> $A", alone or in a Sequence with ByteLevel). The BPE keeps Hugging Face's merge rule
//    (BpeMergeRule::Hf or HfIgnoreMerges), so encodings are its algorithm, not an equivalent.
//  - the forms export writes for sllm's char and word tokenizers (below).
// Refused, with the reason: other models (WordPiece, Unigram), normalizers, regexes and
// pre-tokenizers it does not implement, add_prefix_space, dropout, subword prefixes/suffixes,
// added tokens that are not special or that strip/match single words, post-processors that
// append tokens, truncation and padding.
//
// Regex engine: sllm's rules follow JavaScript's regexes (js-tiktoken, gpt-tokenizer);
// Hugging Face compiles the same pattern with Oniguruma, whose \s also holds U+0085 and not
// U+FEFF, and whose (?i:'s) also matches 'ſ (U+017F). Text with those characters can split
// differently; everything else is the same regex.
//
// Special tokens match in text only with encode(text, allow_special = true), which is what
// Hugging Face does by default; bos/eos/pad come from tokenizer_config.json (unk is not kept for
// byte-level BPE: every byte has a token). add_bos comes from the post-processor.
//
// Export writes any sllm tokenizer:
//  - bpe: model BPE with the vocabulary, specials as special added tokens and the pre-tokenizer
//    above; merges as stored for Hugging Face's merge rules, and for tiktoken's rule every split
//    of every token into two tokens, by the token's rank, then the parts' ranks, with
//    ignore_merges (as transformers converts tiktoken vocabularies such as Llama 3's).
//  - char: model BPE whose vocabulary is the characters (not byte-level strings), no merges, no
//    pre-tokenizer, [UNK] as unk_token when present, the Fuse decoder: each character is one
//    token, exactly as sllm's char tokenizer (text it cannot encode: sllm throws, Hugging Face
//    drops the character when there is no [UNK]).
//  - word: model WordLevel with [UNK], the Split pre-tokenizer with GPT-2's regex, Fuse.
// In Hugging Face, decode with skip_special_tokens=True to match sllm's decode (which drops
// special tokens, except [UNK], which sllm shows as U+FFFD).
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "tokenizer/tokenizer.h"

namespace sllm {

// What tokenizer_config.json (and chat_template.jinja) add to tokenizer.json.
struct HfTokenizerConfig {
  std::string bos, eos, pad, unk;  // the special tokens' text; empty when not named
  std::string chat_template;       // Jinja; empty when none
};

// Reads tokenizer_config.json: the names of bos/eos/pad/unk (strings or {"content": ...}) and
// chat_template (a string, or a list of {name, template}: the one named "default").
// Throws Error(Format) "invalid tokenizer_config.json: ..." naming the member.
HfTokenizerConfig parse_tokenizer_config(std::string_view json);

// tokenizer.json to an sllm tokenizer (see above). config may be null. Throws Error(Format)
// "tokenizer.json: ..." with the reason.
std::unique_ptr<Tokenizer> tokenizer_from_hf(std::string_view tokenizer_json, const HfTokenizerConfig* config);

struct HfTokenizerFiles {
  std::string tokenizer_json;
  std::string tokenizer_config_json;  // special token names, chat template, class
};
// Any sllm tokenizer to Hugging Face's files (see above). model_max_length: the model's
// context length (0 to leave it out).
HfTokenizerFiles tokenizer_to_hf(const Tokenizer& tok, int64_t model_max_length = 0);

}  // namespace sllm
