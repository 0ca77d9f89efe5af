// generator.h: autoregressive generation with a KV cache (each new token costs one
// single-position forward pass), and sampling with temperature, top-k, top-p and a seed.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/rng.h"
#include "model/gpt.h"
#include "tokenizer/tokenizer.h"

namespace sllm {

// Runs the model one position at a time, keeping each layer's keys and values.
class KVCache {
 public:
  explicit KVCache(const GPT& model);

  void reset() { pos_ = 0; }
  int pos() const { return pos_; }
  int capacity() const { return model_.config().context_length; }

  // Appends token at position pos() and returns the logits (V) for the next token.
  // Throws Error(InvalidArgument) when the cache is full or the token is out of range.
  const float* feed(int32_t token);

 private:
  const GPT& model_;
  int pos_ = 0;
  std::vector<float> k_, v_;   // (L, maxT, C) each
  std::vector<float> x_, xn_;  // (C) residual stream and its normalized copy
  std::vector<float> qkv_;     // (3C)
  std::vector<float> att_;     // (maxT) attention weights of one head
  std::vector<float> y_;       // (C) attention output
  std::vector<float> h_;       // (F) MLP hidden
  std::vector<float> tmp_;     // (C)
  std::vector<float> logits_;  // (V)
};

struct SampleOptions {
  float temperature = 1.0f;  // 0 = greedy (argmax)
  int top_k = 0;             // keep the k most likely tokens (0 = all)
  float top_p = 1.0f;        // keep the smallest set whose probability reaches top_p
  uint64_t seed = 0;
  int max_new_tokens = 200;
  bool stop_at_eos = true;   // stop when the tokenizer's [EOS] is sampled
  void validate() const;     // throws Error(InvalidArgument)
};

// Draws one token id from logits (V) per options, using rng. Deterministic for a given rng state.
int32_t sample_token(const float* logits, int V, const SampleOptions& opts, Rng& rng);

// Step-by-step sampling: feeds the prompt ids (at least one) on construction, then each next()
// samples one token. When the context fills, the cache is rebuilt from the most recent half of
// the context (learned positions cannot slide). The model must outlive it.
class TokenGenerator {
 public:
  TokenGenerator(const GPT& model, std::vector<int32_t> prompt, const SampleOptions& opts);
  bool done() const { return done_; }
  int32_t next();  // the next token id; call only while !done()
  int produced() const { return produced_; }

 private:
  const float* refill();
  const GPT& model_;
  SampleOptions opts_;
  KVCache cache_;
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
  TextGenerator(const GPT& model, const Tokenizer& tok, const std::string& prompt, const SampleOptions& opts);
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
std::vector<int32_t> generate_ids(const GPT& model, const std::vector<int32_t>& prompt, const SampleOptions& opts,
                                  const std::function<bool(int32_t)>& on_token = nullptr);

// Text in, text out: encodes the prompt (an empty one starts from [BOS], else from a newline),
// and streams complete UTF-8 text pieces to on_piece (return false to stop). Stops at [EOS]
// when opts.stop_at_eos. Returns the generated text (without the prompt).
std::string generate_text(const GPT& model, const Tokenizer& tok, const std::string& prompt,
                          const SampleOptions& opts,
                          const std::function<bool(const std::string&)>& on_piece = nullptr);

}  // namespace sllm
