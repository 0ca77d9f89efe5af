// generator.cpp: see generator.h.
#include "generate/generator.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"

namespace sllm {

const OptionSchema<SampleOptions>& SampleOptions::options() {
  using O = SampleOptions;
  static const OptionSchema<SampleOptions> schema{
      "generation option",
      {
          SLLM_OPTION(O, max_new_tokens, "max_new_tokens", "maxTokens", "tokens", Int, 0, 1 << 30,
                      "Most tokens to generate"),
          SLLM_OPTION(O, temperature, "temperature", "temperature", "temperature", Number, 0, 1e6,
                      "Softmax temperature; 0 picks the most likely token every time"),
          SLLM_OPTION(O, top_k, "top_k", "topK", "top-k", Int, 0, 1 << 30,
                      "Sample only among the k most likely tokens (0 = all)"),
          SLLM_OPTION(O, top_p, "top_p", "topP", "top-p", Number, 1e-9, 1,
                      "Sample from the smallest set of tokens whose probability reaches topP (1 = all)"),
          SLLM_OPTION(O, seed, "seed", "seed", "seed", Seed, 0, 0, "Seed of the sampler: the same seed gives the same text"),
          SLLM_OPTION(O, stop_at_eos, "stop_at_eos", "stopAtEos", "no-stop-at-eos", Bool, 0, 0,
                      "Stop when the model produces [EOS]"),
          with_choices(SLLM_OPTION(O, kv_cache, "kv_cache", "kvCache", "kv-cache", String, 0, 0,
                                   "The KV cache's number format: f32, or f16 for half its memory (a little slower)"),
                       [] { return std::vector<std::string>{"f32", "f16"}; }),
      }};
  return schema;
}

SampleOptions SampleOptions::from_json(const Json& j) {
  SampleOptions o;
  options().read(j, o, ErrorCode::InvalidArgument);
  o.validate();
  return o;
}

void SampleOptions::validate() const {
  if (!(temperature >= 0.0f) || !std::isfinite(temperature))
    fail(ErrorCode::InvalidArgument, "temperature must be a number >= 0");
  if (top_k < 0) fail(ErrorCode::InvalidArgument, "top_k must be >= 0 (0 keeps all tokens)");
  if (!(top_p > 0.0f && top_p <= 1.0f)) fail(ErrorCode::InvalidArgument, "top_p must be in (0, 1]");
  if (max_new_tokens < 0) fail(ErrorCode::InvalidArgument, "max_new_tokens must be >= 0");
}

int32_t sample_token(const float* logits, int V, const SampleOptions& o, Rng& rng) {
  if (o.temperature == 0.0f || o.top_k == 1)
    return int32_t(std::max_element(logits, logits + V) - logits);
  // Candidates sorted by logit, descending (ties by id), cut to top_k.
  std::vector<int32_t> idx(static_cast<size_t>(V));
  std::iota(idx.begin(), idx.end(), 0);
  auto by_logit = [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); };
  size_t keep = o.top_k > 0 && o.top_k < V ? size_t(o.top_k) : size_t(V);
  std::partial_sort(idx.begin(), idx.begin() + std::ptrdiff_t(keep), idx.end(), by_logit);
  idx.resize(keep);
  std::vector<double> p(keep);
  const double mx = logits[idx[0]];
  double sum = 0.0;
  for (size_t i = 0; i < keep; ++i) sum += p[i] = std::exp((double(logits[idx[i]]) - mx) / double(o.temperature));
  // Nucleus: the smallest prefix whose probability reaches top_p.
  size_t n = keep;
  if (o.top_p < 1.0f) {
    double cum = 0.0;
    for (size_t i = 0; i < keep; ++i) {
      cum += p[i] / sum;
      if (cum >= double(o.top_p)) { n = i + 1; break; }
    }
  }
  double total = 0.0;
  for (size_t i = 0; i < n; ++i) total += p[i];
  double u = double(rng.uniform()) * total, cum = 0.0;
  for (size_t i = 0; i < n; ++i) {
    cum += p[i];
    if (u < cum) return idx[i];
  }
  return idx[n - 1];
}

namespace {
void check_vocab(const Model& model, const Tokenizer& tok) {
  if (tok.vocab_size() != model.config().vocab_size)
    fail(ErrorCode::InvalidArgument, "the tokenizer's vocabulary (" + std::to_string(tok.vocab_size()) +
                                         ") does not match the model's (" +
                                         std::to_string(model.config().vocab_size) + ")");
}

std::vector<int32_t> prompt_ids(const Tokenizer& tok, const std::string& prompt) {
  std::vector<int32_t> ids = tok.encode(prompt);
  if (ids.empty()) {
    // Start from [BOS], else from a newline, as nanoGPT's sampler does.
    int32_t start = tok.special().bos >= 0 ? tok.special().bos : tok.token_id("\n");
    if (start < 0) fail(ErrorCode::InvalidArgument, "the prompt is empty; give at least one character to start from");
    ids.push_back(start);
  }
  return ids;
}
}  // namespace

DType SampleOptions::kv_cache_dtype() const { return kv_cache == "f16" ? DType::F16 : DType::F32; }

TokenGenerator::TokenGenerator(const Model& model, std::vector<int32_t> prompt, const SampleOptions& opts,
                               PrefixCache* shared)
    : model_(model), opts_(opts), rng_(opts.seed), history_(std::move(prompt)) {
  opts_.validate();
  const DType kv = opts_.kv_cache_dtype();
  if (history_.empty()) fail(ErrorCode::InvalidArgument, "generation needs a prompt of at least one token");
  if (shared && shared->kv_cache() == kv) {
    cache_ = shared;
  } else {
    own_ = std::make_unique<PrefixCache>(model, kv);
    cache_ = own_.get();
  }
  logits_ = refill();
  done_ = opts_.max_new_tokens == 0;
}

const float* TokenGenerator::refill() {
  // The cache holds the most recent tokens: all of them if they fit, else the last half context;
  // what it already holds of them (a common prefix) is kept.
  const size_t cap = size_t(cache_->capacity());
  const size_t n = history_.size() <= cap ? history_.size() : std::max<size_t>(1, cap / 2);
  cache_->prefill(std::vector<int32_t>(history_.end() - std::ptrdiff_t(n), history_.end()));
  version_ = cache_->version();
  return cache_->logits();
}

const float* TokenGenerator::step(int32_t id) {
  // One cached step when the cache still holds this generation's tokens and has room.
  if (cache_->version() != version_ || int(cache_->tokens().size()) >= cache_->capacity()) return refill();
  cache_->append(id);
  version_ = cache_->version();
  return cache_->logits();
}

int32_t TokenGenerator::next() {
  if (done_) fail(ErrorCode::InvalidArgument, "generation has ended");
  try {
    if (cache_->version() != version_) logits_ = refill();  // another generator used the shared cache
    const int32_t id = sample_token(logits_, model_.config().vocab_size, opts_, rng_);
    ++produced_;
    history_.push_back(id);
    if (produced_ >= opts_.max_new_tokens) done_ = true;
    else logits_ = step(id);
    return id;
  } catch (...) {
    done_ = true;  // a failed generator cannot continue
    throw;
  }
}

TextGenerator::TextGenerator(const Model& model, const Tokenizer& tok, const std::string& prompt,
                             const SampleOptions& opts, PrefixCache* shared)
    : tok_((check_vocab(model, tok), tok)),
      stop_at_eos_(opts.stop_at_eos),
      tokens_(model, prompt_ids(tok, prompt), opts, shared),
      decoder_(tok) {
  done_ = tokens_.done();
}

std::string TextGenerator::next() {
  if (done_) return "";
  try {
    const int32_t id = tokens_.next();
    if (stop_at_eos_ && id == tok_.special().eos) {
      done_ = true;
      return decoder_.flush();
    }
    std::string piece = decoder_.feed(id);
    if (tokens_.done()) {
      done_ = true;
      piece += decoder_.flush();
    }
    return piece;
  } catch (...) {
    done_ = true;
    throw;
  }
}

std::vector<int32_t> generate_ids(const Model& model, const std::vector<int32_t>& prompt, const SampleOptions& opts,
                                  const std::function<bool(int32_t)>& on_token) {
  TokenGenerator gen(model, prompt, opts);
  std::vector<int32_t> out;
  while (!gen.done()) {
    out.push_back(gen.next());
    if (on_token && !on_token(out.back())) break;
  }
  return out;
}

std::string generate_text(const Model& model, const Tokenizer& tok, const std::string& prompt,
                          const SampleOptions& opts, const std::function<bool(const std::string&)>& on_piece) {
  TextGenerator gen(model, tok, prompt, opts);
  std::string text;
  while (!gen.done()) {
    std::string piece = gen.next();
    if (piece.empty()) continue;
    text += piece;
    if (on_piece && !on_piece(piece)) break;
  }
  return text;
}

}  // namespace sllm
