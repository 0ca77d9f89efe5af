// bpe_tokenizer.h: byte-level BPE, GPT-2 style. Text is split into pieces by a pre-tokenizer
// rule (GPT-2's regex), each piece is taken as UTF-8 bytes and merged by rank, so any text
// round-trips exactly and [UNK] is never produced.
//
// Encoding follows one of three merge rules (BpeMergeRule), the first tiktoken's definition,
// which gpt-tokenizer and js-tiktoken share: a piece that is itself a vocabulary entry is that
// one token; otherwise, starting from single bytes, the adjacent pair whose concatenation is
// the vocabulary entry of lowest rank is merged, leftmost first on equal ranks, until no
// adjacent pair concatenates to an entry. A token's rank is the index of the merge that made it
// (so GPT-2's ranks equal its ids). The other two are Hugging Face's BPE model (and llama.cpp's):
// only the listed merges apply, the one listed first (then the leftmost) merging first, so
// several merges may make the same token; with ignore_merges, a piece that is a vocabulary
// entry is looked up first, as tiktoken does.
//
// add_bos (Llama 3 style): encode() starts every encoding with the bos special token, as
// Hugging Face's tokenizer(text) does with its BOS-adding post-processor, whether or not
// allow_special is set; only when allow_special is set and the text itself starts with the bos
// token's string (a rendered chat template usually does) is no second one added. A generation
// prompt is encoded with encode(), so it starts with BOS too, as llama.cpp does for such models.
//
// The vocabulary: special tokens (never split, never produced by merges, matched in text only
// by encode(text, true)), 256 single-byte tokens and one token per merge, in any id order.
#pragma once
#include <functional>
#include <unordered_map>

#include "tokenizer/flat_table.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/tokenizer.h"

namespace sllm {

// tiktoken's rule (the default), Hugging Face's BPE without and with ignore_merges. Named in
// SLLM files as "tiktoken", "hf" and "hf_ignore_merges" (the bpe member "merge_rule").
enum class BpeMergeRule : uint8_t { Tiktoken, Hf, HfIgnoreMerges };
const char* merge_rule_name(BpeMergeRule r);
bool parse_merge_rule(std::string_view name, BpeMergeRule& out);

struct BpeTrainOptions {
  int32_t vocab_size = 8000;  // specials + 256 bytes + merges
  bool pad = false, unk = false, bos = false, eos = false;
  std::vector<std::string> extra_specials;  // user-defined special strings, after the standard ones
  // Called with (merges done, merges planned) every ~1% of the merges and at the end.
  std::function<void(int merges_done, int merges_total)> progress;
};

class BpeTokenizer : public Tokenizer {
 public:
  // The longest ordinary token, in bytes (GPT-2's longest is 128). It bounds the work of
  // indexing an untrusted vocabulary; training never forms a longer token.
  static constexpr size_t kMaxTokenBytes = 256;
  // The largest vocabulary (ids are below this).
  static constexpr size_t kMaxVocabIds = size_t(1) << 24;

  // Learns merges from text until vocab_size is reached (or no pair is left to merge, for a
  // tiny corpus). Ids: specials first ([PAD] [UNK] [BOS] [EOS] as requested, then
  // extra_specials), then the bytes 0x00..0xFF, then merges in order. Deterministic; see
  // bpe_trainer.cpp for the tie-breaking rule. Throws Error(InvalidArgument) for a
  // vocab_size below specials + 256 or a bad special string, Error(Data) for empty text.
  static std::unique_ptr<BpeTokenizer> train(std::string_view text, const BpeTrainOptions& opts = {});

  // GPT-2 (r50k_base) from the contents of OpenAI's encoder.json and vocab.bpe. Ids equal
  // GPT-2's; "<|endoftext|>" (50256) is the eos special token. Throws Error(Format).
  static std::unique_ptr<BpeTokenizer> from_gpt2(std::string_view encoder_json, std::string_view vocab_bpe);

  // A tiktoken ranks file (one "base64(token bytes) rank" per line, ranks 0..n-1 with the
  // 256 single bytes among them, as cl100k_base.tiktoken or Llama 3's tokenizer.model), with
  // special tokens as (string, id) at ids from n on. Ids equal the ranks; eos_name and
  // bos_name, if found among the specials, become the eos and bos tokens. Ids the specials
  // leave unused between n and the largest (cl100k_base has such gaps) are filled as
  // fill_unused_ids does. Uses the gpt2 pre-tokenizer (set_pretokenizer changes it).
  // Throws Error(Format).
  static std::unique_ptr<BpeTokenizer> from_tiktoken(std::string_view ranks_file,
                                                     const std::vector<std::pair<std::string, int32_t>>& specials,
                                                     std::string_view eos_name = "<|endoftext|>",
                                                     std::string_view bos_name = "");

  // Ids from `from` on that are neither ordinary tokens (non-empty bytes) nor specials become placeholder special
  // tokens "[PAD<id>]" (as llama.cpp's converter names them): never produced by encoding text
  // (unless allow_special text holds that exact string) and decoded as nothing.
  static void fill_unused_ids(std::vector<std::string>& bytes, std::vector<uint8_t>& special_flag, size_t from);

  static std::unique_ptr<BpeTokenizer> from_json(const Json& j);
  static std::unique_ptr<BpeTokenizer> from_source(const TokenizerSource& src);

  std::string type() const override { return "bpe"; }
  int32_t vocab_size() const override { return int32_t(bytes_.size()); }
  std::vector<int32_t> encode(std::string_view text, bool allow_special = false) const override;
  std::string token_bytes(int32_t id) const override;
  std::string token_string(int32_t id) const override;
  int32_t token_id(std::string_view s) const override;
  Json to_json() const override;

  // Appends the tokens of text, which must be valid UTF-8, ignoring special tokens.
  void encode_ordinary(std::string_view text, std::vector<int32_t>& out) const;

  int32_t num_merges() const { return int32_t(merges_.size()); }
  std::pair<int32_t, int32_t> merge(int32_t rank) const { return merges_.at(size_t(rank)); }
  bool is_special(int32_t id) const { return id >= 0 && id < vocab_size() && special_flag_[size_t(id)]; }
  const std::vector<int32_t>& special_ids() const { return special_ids_; }
  PretokenizerRule pretokenizer() const { return rule_; }
  bool add_bos() const { return add_bos_; }
  // Throws Error(InvalidArgument) when on is true and the vocabulary has no bos token.
  void set_add_bos(bool on);
  void set_pretokenizer(PretokenizerRule rule) { rule_ = rule; clear_cache(); }
  BpeMergeRule merge_rule() const { return merge_rule_; }

  // A vocabulary given as Hugging Face's BPE model holds it: ordinary tokens by bytes (empty
  // for ids that are specials), specials by their text, merges as token-id pairs in list order.
  // Validates everything index() does; throws Error(Format) naming the problem.
  struct Parts {
    std::vector<std::string> bytes;            // (V)
    std::vector<uint8_t> special_flag;         // (V)
    std::vector<std::pair<int32_t, int32_t>> merges;
    SpecialTokens special;
    PretokenizerRule rule = PretokenizerRule::Gpt2;
    BpeMergeRule merge_rule = BpeMergeRule::Hf;
    bool add_bos = false;
  };
  static std::unique_ptr<BpeTokenizer> from_parts(Parts parts);

  // Grows the vocabulary to size ids with placeholder specials (fill_unused_ids), for a model
  // whose embedding has more rows than its tokenizer has tokens, as Hugging Face models often do.
  void pad_vocab(int32_t size);
  // Names the special tokens; each id must be one of the specials. Throws Error(Format).
  void set_special_tokens(const SpecialTokens& s);

  // The per-piece cache (piece bytes -> ids) is cleared whenever it holds more than this many
  // pieces; 0 turns it off. The cache makes encode() unsafe to call from two threads at once.
  void set_cache_limit(size_t pieces);
  void clear_cache() const { cache_.clear(); }

 private:
  BpeTokenizer() = default;

  // Validates the vocabulary (throws Error(Format) naming the problem) and builds the lookup
  // tables from bytes_, special_flag_, merges_ and special_.
  void index();
  void encode_piece(std::string_view piece, std::vector<int32_t>& out) const;
  void encode_with_specials(std::string_view text, std::vector<int32_t>& out) const;

  PretokenizerRule rule_ = PretokenizerRule::Gpt2;
  bool add_bos_ = false;
  BpeMergeRule merge_rule_ = BpeMergeRule::Tiktoken;
  std::vector<std::string> bytes_;                    // (V) raw bytes; a special's own string
  std::vector<uint8_t> special_flag_;                 // (V)
  std::vector<std::pair<int32_t, int32_t>> merges_;   // in rank order
  std::vector<int32_t> special_ids_;                  // ascending
  // Built by index():
  std::vector<int32_t> rank_;                         // (V) first merge making it, -1 for bytes, specials, unmade
  int32_t byte_id_[256] = {};
  BytesTable vocab_;                                  // ordinary tokens' bytes -> id
  PairTable pairs_;                                   // (left, right) -> (rank, id) of their concatenation
  std::unordered_map<std::string, int32_t> by_string_;  // token_string -> id
  std::vector<std::pair<std::string, int32_t>> special_match_;  // longest first
  size_t cache_limit_ = 1 << 16;
  mutable BytesTable cache_;                          // piece bytes -> ids, for pieces not in vocab_
};

}  // namespace sllm
