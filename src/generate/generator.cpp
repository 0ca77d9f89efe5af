// generator.cpp: see generator.h.
#include "generate/generator.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "kernels/kernels.h"

namespace sllm {

KVCache::KVCache(const GPT& model) : model_(model) {
  const ModelConfig& c = model.config();
  const size_t C = size_t(c.dim), L = size_t(c.layers), T = size_t(c.context_length);
  k_.assign(L * T * C, 0.0f);
  v_.assign(L * T * C, 0.0f);
  x_.assign(C, 0.0f);
  xn_.assign(C, 0.0f);
  qkv_.assign(3 * C, 0.0f);
  att_.assign(T, 0.0f);
  y_.assign(C, 0.0f);
  h_.assign(size_t(c.ffn_dim), 0.0f);
  tmp_.assign(C, 0.0f);
  logits_.assign(size_t(c.vocab_size), 0.0f);
}

const float* KVCache::feed(int32_t token) {
  const ModelConfig& c = model_.config();
  const ParamViews& w = model_.weights();
  const int C = c.dim, F = c.ffn_dim, V = c.vocab_size, NH = c.heads, hs = c.head_dim();
  const size_t T = size_t(c.context_length);
  if (pos_ >= c.context_length) fail(ErrorCode::InvalidArgument, "the KV cache is full (context length reached)");
  if (token < 0 || token >= V)
    fail(ErrorCode::InvalidArgument, "token id " + std::to_string(token) + " is outside the vocabulary");
  const float scale = 1.0f / std::sqrt(float(hs));
  float mean, rstd;  // LayerNorm statistics are not needed for inference

  residual_forward(x_.data(), w.wte + size_t(token) * C, w.wpe + size_t(pos_) * C, size_t(C));
  for (int l = 0; l < c.layers; ++l) {
    const LayerViews& p = w.layer[size_t(l)];
    float* kl = k_.data() + size_t(l) * T * C;
    float* vl = v_.data() + size_t(l) * T * C;
    layernorm_forward(xn_.data(), &mean, &rstd, x_.data(), p.ln1w, p.ln1b, 1, C, c.norm_eps);
    matvec(qkv_.data(), p.qkvw, xn_.data(), p.qkvb, C, 3 * C);
    std::copy(qkv_.begin() + C, qkv_.begin() + 2 * C, kl + size_t(pos_) * C);
    std::copy(qkv_.begin() + 2 * C, qkv_.begin() + 3 * C, vl + size_t(pos_) * C);
    for (int h = 0; h < NH; ++h) {
      const float* q = qkv_.data() + h * hs;
      // scores over positions 0..pos, then softmax (the same formula as causal_softmax_forward)
      for (int t = 0; t <= pos_; ++t) {
        const float* kt = kl + size_t(t) * C + h * hs;
        float s = 0.0f;
        for (int i = 0; i < hs; ++i) s += q[i] * kt[i];
        att_[size_t(t)] = s;
      }
      float mx = att_[0] * scale;
      for (int t = 1; t <= pos_; ++t) mx = std::fmax(mx, att_[size_t(t)] * scale);
      float sum = 0.0f;
      for (int t = 0; t <= pos_; ++t) {
        att_[size_t(t)] = std::exp(att_[size_t(t)] * scale - mx);
        sum += att_[size_t(t)];
      }
      float inv = 1.0f / sum;
      float* y = y_.data() + h * hs;
      std::fill(y, y + hs, 0.0f);
      for (int t = 0; t <= pos_; ++t) {
        const float* vt = vl + size_t(t) * C + h * hs;
        const float a = att_[size_t(t)] * inv;
        for (int i = 0; i < hs; ++i) y[i] += a * vt[i];
      }
    }
    matvec(tmp_.data(), p.attprojw, y_.data(), p.attprojb, C, C);
    add_inplace(x_.data(), tmp_.data(), size_t(C));
    layernorm_forward(xn_.data(), &mean, &rstd, x_.data(), p.ln2w, p.ln2b, 1, C, c.norm_eps);
    matvec(h_.data(), p.fcw, xn_.data(), p.fcb, C, F);
    gelu_forward(h_.data(), h_.data(), size_t(F));
    matvec(tmp_.data(), p.fcprojw, h_.data(), p.fcprojb, F, C);
    add_inplace(x_.data(), tmp_.data(), size_t(C));
  }
  layernorm_forward(xn_.data(), &mean, &rstd, x_.data(), w.lnfw, w.lnfb, 1, C, c.norm_eps);
  matvec(logits_.data(), w.wout, xn_.data(), nullptr, C, V);
  ++pos_;
  return logits_.data();
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
void check_vocab(const GPT& model, const Tokenizer& tok) {
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

TokenGenerator::TokenGenerator(const GPT& model, std::vector<int32_t> prompt, const SampleOptions& opts)
    : model_(model), opts_(opts), cache_(model), rng_(opts.seed), history_(std::move(prompt)) {
  opts_.validate();
  if (history_.empty()) fail(ErrorCode::InvalidArgument, "generation needs a prompt of at least one token");
  logits_ = refill();
  done_ = opts_.max_new_tokens == 0;
}

const float* TokenGenerator::refill() {
  // Rebuild the cache from the most recent tokens: all of them if they fit, else the last half context.
  const size_t cap = size_t(cache_.capacity());
  const size_t n = history_.size() <= cap ? history_.size() : std::max<size_t>(1, cap / 2);
  cache_.reset();
  const float* logits = nullptr;
  for (size_t i = history_.size() - n; i < history_.size(); ++i) logits = cache_.feed(history_[i]);
  return logits;
}

int32_t TokenGenerator::next() {
  if (done_) fail(ErrorCode::InvalidArgument, "generation has ended");
  try {
    const int32_t id = sample_token(logits_, model_.config().vocab_size, opts_, rng_);
    ++produced_;
    history_.push_back(id);
    if (produced_ >= opts_.max_new_tokens) done_ = true;
    else logits_ = cache_.pos() < cache_.capacity() ? cache_.feed(id) : refill();
    return id;
  } catch (...) {
    done_ = true;  // a failed generator cannot continue
    throw;
  }
}

TextGenerator::TextGenerator(const GPT& model, const Tokenizer& tok, const std::string& prompt,
                             const SampleOptions& opts)
    : tok_((check_vocab(model, tok), tok)),
      stop_at_eos_(opts.stop_at_eos),
      tokens_(model, prompt_ids(tok, prompt), opts),
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

std::vector<int32_t> generate_ids(const GPT& model, const std::vector<int32_t>& prompt, const SampleOptions& opts,
                                  const std::function<bool(int32_t)>& on_token) {
  TokenGenerator gen(model, prompt, opts);
  std::vector<int32_t> out;
  while (!gen.done()) {
    out.push_back(gen.next());
    if (on_token && !on_token(out.back())) break;
  }
  return out;
}

std::string generate_text(const GPT& model, const Tokenizer& tok, const std::string& prompt,
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
