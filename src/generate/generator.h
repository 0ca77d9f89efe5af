// generator.h: autoregressive generation on a Decoder (the prompt as one batch, then each new
// token one cached step), and sampling with temperature, top-k, top-p and a seed.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/options.h"
#include "core/rng.h"
#include "generate/decoder.h"
#include "generate/prefix_cache.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace sllm {

struct SampleOptions {
  float temperature = 1.0f;  // 0 = greedy (argmax)
  int top_k = 0;             // keep the k most likely tokens (0 = all)
  float top_p = 1.0f;        // keep the smallest set whose probability reaches top_p
  uint64_t seed = 0;
  int max_new_tokens = 200;
  bool stop_at_eos = true;   // stop when the tokenizer's [EOS] is sampled
  std::string kv_cache = "f32";  // the KV cache's dtype: "f32" or "f16" (half the memory)
  void validate() const;     // throws Error(InvalidArgument)
  DType kv_cache_dtype() const;  // kv_cache as a DType
  // Every option's key, package name, CLI flag, kind, range and documentation (generator.cpp).
  static const OptionSchema<SampleOptions>& options();
  // The defaults with the given options replaced; throws Error(InvalidArgument) naming a bad one.
  static SampleOptions from_json(const Json& j);
};

// Draws one token id from logits (V) per options, using rng. Deterministic for a given rng state.
int32_t sample_token(const float* logits, int V, const SampleOptions& opts, Rng& rng);

// Step-by-step sampling: prefills the prompt ids (at least one) on construction, then each
// next() samples one token. When the context fills, the cache is rebuilt from the most recent
// half of the context (positions cannot slide). The model must outlive it.
// With a shared PrefixCache (of opts.kv_cache's dtype; another dtype is not used), the prompt
// reuses what the cache holds in common with it (a prompt that extends an earlier generation's
// text computes only the new tokens), and the cache keeps this generation's tokens for the next
// one. Generators sharing a cache may interleave: one that finds the cache changed by another
// prefills its own tokens again (their common prefix is kept). The cache must outlive it.
class TokenGenerator {
 public:
  TokenGenerator(const Model& model, std::vector<int32_t> prompt, const SampleOptions& opts,
                 PrefixCache* shared = nullptr);
  bool done() const { return done_; }
  int32_t next();  // the next token id; call only while !done()
  int produced() const { return produced_; }

 private:
  const float* refill();
  const float* step(int32_t id);
  const Model& model_;
  SampleOptions opts_;
  std::unique_ptr<PrefixCache> own_;  // when no usable cache is shared
  PrefixCache* cache_;
  uint64_t version_ = 0;  // the cache's version after this generator's last change
  Rng rng_;
  std::vector<int32_t> history_;
  const float* logits_ = nullptr;
  int produced_ = 0;
  bool done_ = false;
};

// Text pieces, one token at a time: the prompt is encoded (an empty one starts from [BOS], else
// from a newline), each next() returns the complete UTF-8 text the new token finished (possibly
// ""), and generation ends at max_new_tokens or, when opts.stop_at_eos, at [EOS]. The model and
// tokenizer must outlive it. A failed next() ends it.
class TextGenerator {
 public:
  TextGenerator(const Model& model, const Tokenizer& tok, const std::string& prompt, const SampleOptions& opts,
                PrefixCache* shared = nullptr);  // shared: as TokenGenerator's
  bool done() const { return done_; }
  std::string next();  // "" once done
  int tokens_generated() const { return tokens_.produced(); }

 private:
  const Tokenizer& tok_;
  bool stop_at_eos_;
  TokenGenerator tokens_;
  StreamDecoder decoder_;
  bool done_ = false;
};

// Feeds prompt ids (at least one) then samples up to max_new_tokens, calling on_token for each
// new id; on_token returns false to stop early (a TokenGenerator loop). Returns the new ids.
std::vector<int32_t> generate_ids(const Model& model, const std::vector<int32_t>& prompt, const SampleOptions& opts,
                                  const std::function<bool(int32_t)>& on_token = nullptr);

// Text in, text out: encodes the prompt (an empty one starts from [BOS], else from a newline),
// and streams complete UTF-8 text pieces to on_piece (return false to stop). Stops at [EOS]
// when opts.stop_at_eos. Returns the generated text (without the prompt).
std::string generate_text(const Model& model, const Tokenizer& tok, const std::string& prompt,
                          const SampleOptions& opts,
                          const std::function<bool(const std::string&)>& on_piece = nullptr);

}  // namespace sllm
