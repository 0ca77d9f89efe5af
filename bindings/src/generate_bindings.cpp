// generate_bindings.cpp: text generation for JavaScript, one token per next() call on a
// session that keeps the KV cache, sampler and streaming decoder between calls. The loop is
// generate_ids()/generate_text() from src/generate/generator.cpp unrolled into a state
// machine; generateReference() runs the core's own generate_text() so tests can check that
// both give the same text.
#include <emscripten/bind.h>

#include <algorithm>

#include "boundary.h"
#include "handles.h"

namespace sllm::bind {

SampleOptions sample_options_from_json(const Json& j) {
  SampleOptions o;
  for (const auto& [key, value] : j.members()) {
    if (key == "temperature") o.temperature = float(j.get_number(key));
    else if (key == "top_k") o.top_k = int(j.get_int(key, 0, 1 << 30));
    else if (key == "top_p") o.top_p = float(j.get_number(key));
    else if (key == "seed") o.seed = uint64_t(j.get_int(key, 0, int64_t(1) << 53));
    else if (key == "max_new_tokens") o.max_new_tokens = int(j.get_int(key, 0, 1 << 30));
    else if (key == "stop_at_eos") o.stop_at_eos = j.get_bool(key);
    else fail(ErrorCode::InvalidArgument, "unknown generation option \"" + key + "\"");
  }
  o.validate();
  return o;
}

SessionHandle::SessionHandle(std::shared_ptr<GPT> model, std::shared_ptr<const Tokenizer> tok,
                             const std::string& prompt, const SampleOptions& opts)
    : model_(std::move(model)), tok_(std::move(tok)), opts_(opts), cache_(*model_), rng_(opts.seed),
      decoder_(*tok_) {
  opts_.validate();
  if (tok_->vocab_size() != model_->config().vocab_size)
    fail(ErrorCode::InvalidArgument, "the tokenizer's vocabulary (" + std::to_string(tok_->vocab_size()) +
                                         ") does not match the model's (" +
                                         std::to_string(model_->config().vocab_size) + ")");
  history_ = tok_->encode(prompt);
  if (history_.empty()) {
    // As generate_text: start from [BOS], else from a newline.
    int32_t start = tok_->special().bos >= 0 ? tok_->special().bos : tok_->token_id("\n");
    if (start < 0) fail(ErrorCode::InvalidArgument, "the prompt is empty; give at least one character to start from");
    history_.push_back(start);
  }
  logits_ = refill();
  done_ = opts_.max_new_tokens == 0;
}

const float* SessionHandle::refill() {
  // As generate_ids: rebuild the cache from all tokens if they fit, else the last half context.
  const size_t cap = size_t(cache_.capacity());
  const size_t n = history_.size() <= cap ? history_.size() : std::max<size_t>(1, cap / 2);
  cache_.reset();
  const float* logits = nullptr;
  for (size_t i = history_.size() - n; i < history_.size(); ++i) logits = cache_.feed(history_[i]);
  return logits;
}

std::string SessionHandle::next() {
  return guard([&]() -> std::string {
    if (done_) return "";
    try {
      const int32_t id = sample_token(logits_, model_->config().vocab_size, opts_, rng_);
      ++produced_;
      history_.push_back(id);
      if (opts_.stop_at_eos && id == tok_->special().eos) {
        done_ = true;
        return decoder_.flush();
      }
      std::string piece = decoder_.feed(id);
      if (produced_ >= opts_.max_new_tokens) {
        done_ = true;
        return piece + decoder_.flush();
      }
      logits_ = cache_.pos() < cache_.capacity() ? cache_.feed(id) : refill();
      return piece;
    } catch (...) {
      done_ = true;  // a failed session cannot continue
      throw;
    }
  });
}

namespace {

SessionHandle* create_session(ModelHandle* model, const std::string& prompt, const std::string& options) {
  return guard([&]() -> SessionHandle* {
    if (!model) fail(ErrorCode::InvalidArgument, "generation needs a model");
    SampleOptions o = sample_options_from_json(parse_options(options, "generation options"));
    return new SessionHandle(model->model(), model->tok(), prompt, o);
  });
}

std::string generate_reference(ModelHandle* model, const std::string& prompt, const std::string& options) {
  return guard([&]() -> std::string {
    if (!model) fail(ErrorCode::InvalidArgument, "generation needs a model");
    SampleOptions o = sample_options_from_json(parse_options(options, "generation options"));
    return generate_text(*model->model(), *model->tok(), prompt, o);
  });
}

}  // namespace

}  // namespace sllm::bind

EMSCRIPTEN_BINDINGS(sllm_generate) {
  using namespace emscripten;
  using sllm::bind::SessionHandle;
  class_<SessionHandle>("SessionHandle")
      .function("next", &SessionHandle::next)
      .function("done", &SessionHandle::done)
      .function("tokensGenerated", &SessionHandle::tokensGenerated);
  function("createSession", &sllm::bind::create_session, allow_raw_pointers());
  function("generateReference", &sllm::bind::generate_reference, allow_raw_pointers());
}
