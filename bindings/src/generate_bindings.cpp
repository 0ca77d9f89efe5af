// generate_bindings.cpp: text generation for JavaScript, one token per next() call on a
// session: the core's TextGenerator (src/generate/generator.h), which keeps the sampler and
// streaming decoder between calls, on the model handle's generation cache (a PrefixCache kept
// across sessions, so a prompt extending the last generation's text computes only new tokens).
#include <emscripten/bind.h>

#include "boundary.h"
#include "handles.h"

namespace sllm::bind {

SessionHandle::SessionHandle(std::shared_ptr<Model> model, std::shared_ptr<const Tokenizer> tok,
                             const std::string& prompt, const SampleOptions& opts, std::shared_ptr<PrefixCache> cache)
    : model_(std::move(model)), tok_(std::move(tok)), cache_(std::move(cache)),
      gen_(*model_, *tok_, prompt, opts, cache_.get()) {}

std::string SessionHandle::next() {
  return guard([&] { return gen_.next(); });
}

namespace {

SessionHandle* create_session(ModelHandle* model, const std::string& prompt, const std::string& options) {
  return guard([&]() -> SessionHandle* {
    if (!model) fail(ErrorCode::InvalidArgument, "generation needs a model");
    SampleOptions o = SampleOptions::from_json(parse_options(options, "generation options"));
    // The model's generation cache, in the dtype asked for (a new one when that changes).
    const DType kv = o.kv_cache_dtype();
    if (!model->generation_cache || model->generation_cache->kv_cache() != kv)
      model->generation_cache = std::make_shared<PrefixCache>(*model->model(), kv);
    return new SessionHandle(model->model(), model->tok(), prompt, o, model->generation_cache);
  });
}

// The weights changed (training): the cached keys and values are out of date.
void clear_generation_cache(ModelHandle* model) {
  guard([&] {
    if (model && model->generation_cache) model->generation_cache->clear();
  });
}

// Positions the generation cache computed since it was made (for tests and statistics).
double generation_positions(ModelHandle* model) {
  return guard([&] {
    return model && model->generation_cache ? double(model->generation_cache->positions_computed()) : 0.0;
  });
}

}  // namespace

}  // namespace sllm::bind

EMSCRIPTEN_BINDINGS(sllm_generate) {
  using namespace emscripten;
  using sllm::bind::SessionHandle;
  class_<SessionHandle>("SessionHandle")
      .function("next", &SessionHandle::next)
      .function("done", &SessionHandle::done);
  function("createSession", &sllm::bind::create_session, allow_raw_pointers());
  function("clearGenerationCache", &sllm::bind::clear_generation_cache, allow_raw_pointers());
  function("generationPositions", &sllm::bind::generation_positions, allow_raw_pointers());
}
