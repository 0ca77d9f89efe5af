// chat_bindings.cpp: the chat API's conversation session for JavaScript: the core's
// PrefixCache (src/generate/prefix_cache.h: the conversation's tokens in a KV cache, reused by a
// follow-up turn) plus the sampler and the streaming decoder of one reply. The TypeScript chat
// layer (bindings/ts/src/chat/) drives it one token per call: prefill(ids), then sample(),
// piece(id) and, while the reply goes on, append(id).
#include <emscripten/bind.h>

#include <optional>

#include "boundary.h"
#include "generate/prefix_cache.h"
#include "handles.h"

namespace sllm::bind {

namespace {

class ChatSessionHandle {
 public:
  ChatSessionHandle(std::shared_ptr<Model> model, std::shared_ptr<const Tokenizer> tok)
      : model_(std::move(model)), tok_(std::move(tok)), session_(*model_) {}

  // Holds exactly ids; returns the positions computed (the rest came from the cache).
  int prefill(const val& ids) {
    return guard([&] { return session_.prefill(to_ids(ids)); });
  }

  // Starts a reply: sampling options ({temperature, top_k, top_p, seed}) and a fresh decoder.
  void begin(const std::string& options_json) {
    guard([&] {
      SampleOptions o = SampleOptions::from_json(parse_options(options_json, "sampling options"));
      opts_ = o;
      rng_.reseed(o.seed);
      decoder_.emplace(*tok_);
    });
  }

  // The next token id, drawn from the last position's logits (not yet appended).
  int sample() {
    return guard([&]() -> int {
      if (session_.empty()) fail(ErrorCode::InvalidArgument, "sample needs a prefilled session");
      return sample_token(session_.logits(), model_->config().vocab_size, opts_, rng_);
    });
  }

  // The complete UTF-8 text the token finishes (possibly ""); flush() gives what is left.
  std::string piece(int id) {
    return guard([&] { return decoder().feed(id); });
  }
  std::string flush() {
    return guard([&] { return decoder().flush(); });
  }

  void append(int id) {
    guard([&] { session_.append(id); });
  }

  int length() const { return int(session_.tokens().size()); }
  int capacity() const { return session_.capacity(); }
  double positionsComputed() const { return double(session_.positions_computed()); }
  void clear() {
    guard([&] { session_.clear(); });
  }

 private:
  StreamDecoder& decoder() {
    if (!decoder_) fail(ErrorCode::InvalidArgument, "call begin() before decoding a reply");
    return *decoder_;
  }

  std::shared_ptr<Model> model_;            // kept alive for session_
  std::shared_ptr<const Tokenizer> tok_;  // kept alive for decoder_
  PrefixCache session_;
  std::optional<StreamDecoder> decoder_;  // one per reply (begin)
  SampleOptions opts_;
  Rng rng_;
};

ChatSessionHandle* create_chat_session(ModelHandle* model) {
  return guard([&]() -> ChatSessionHandle* {
    if (!model) fail(ErrorCode::InvalidArgument, "a chat session needs a model");
    return new ChatSessionHandle(model->model(), model->tok());
  });
}

}  // namespace

}  // namespace sllm::bind

EMSCRIPTEN_BINDINGS(sllm_chat) {
  using namespace emscripten;
  using sllm::bind::ChatSessionHandle;
  class_<ChatSessionHandle>("ChatSessionHandle")
      .function("prefill", &ChatSessionHandle::prefill)
      .function("begin", &ChatSessionHandle::begin)
      .function("sample", &ChatSessionHandle::sample)
      .function("piece", &ChatSessionHandle::piece)
      .function("flush", &ChatSessionHandle::flush)
      .function("append", &ChatSessionHandle::append)
      .function("length", &ChatSessionHandle::length)
      .function("capacity", &ChatSessionHandle::capacity)
      .function("positionsComputed", &ChatSessionHandle::positionsComputed)
      .function("clear", &ChatSessionHandle::clear);
  function("createChatSession", &sllm::bind::create_chat_session, allow_raw_pointers());
}
