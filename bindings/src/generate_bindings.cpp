// generate_bindings.cpp: text generation for JavaScript, one token per next() call on a
// session: the core's TextGenerator (src/generate/generator.h), which keeps the KV cache,
// sampler and streaming decoder between calls.
#include <emscripten/bind.h>

#include "boundary.h"
#include "handles.h"

namespace sllm::bind {

SessionHandle::SessionHandle(std::shared_ptr<Model> model, std::shared_ptr<const Tokenizer> tok,
                             const std::string& prompt, const SampleOptions& opts)
    : model_(std::move(model)), tok_(std::move(tok)), gen_(*model_, *tok_, prompt, opts) {}

std::string SessionHandle::next() {
  return guard([&] { return gen_.next(); });
}

namespace {

SessionHandle* create_session(ModelHandle* model, const std::string& prompt, const std::string& options) {
  return guard([&]() -> SessionHandle* {
    if (!model) fail(ErrorCode::InvalidArgument, "generation needs a model");
    SampleOptions o = SampleOptions::from_json(parse_options(options, "generation options"));
    return new SessionHandle(model->model(), model->tok(), prompt, o);
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
}
