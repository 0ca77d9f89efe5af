// model_bindings.cpp: models for JavaScript: the built-in presets, creating a GPT from a
// preset and/or explicit config fields for a tokenizer's vocabulary, and inspecting it.
#include <emscripten/bind.h>

#include "boundary.h"
#include "handles.h"

namespace sllm::bind {

std::string ModelHandle::configJson() const {
  return guard([&] { return model_->config().to_json().dump(); });
}
double ModelHandle::numParams() const {
  return guard([&] { return double(model_->num_params()); });
}
std::string ModelHandle::preset() const {
  return guard([&] { return preset_; });
}
std::string ModelHandle::metadataJson() const {
  return guard([&] { return metadata.dump(); });
}
std::string ModelHandle::headerJson() const {
  return guard([&] { return header_json; });
}
TokenizerHandle* ModelHandle::tokenizer() const {
  return guard([&] { return new TokenizerHandle(tok_); });
}
std::string ModelHandle::checkpointJson() const {
  return guard([&]() -> std::string {
    if (!checkpoint) return "null";
    Json j = Json::object();
    j.set("step", checkpoint->step);
    j.set("tokens_seen", checkpoint->tokens_seen);
    j.set("best_val_loss", double(checkpoint->best_val));
    j.set("config", checkpoint->config.to_json());
    return j.dump();
  });
}

namespace {

const char* const kModelKeys[] = {"arch",    "vocab_size",   "context_length", "dim",       "layers",
                                  "heads",   "kv_heads",     "ffn_dim",        "norm_eps",  "tie_embeddings",
                                  "dropout", "init_seed"};

// preset: "" or a preset name; overrides: model config members (snake_case) that replace the
// preset's. Without a preset every required member must be given, except arch, kv_heads,
// norm_eps and tie_embeddings, which default to "gpt", heads, 1e-5 and true. Giving dim
// without ffn_dim sets ffn_dim = 4 * dim; heads without kv_heads sets kv_heads = heads.
// vocab_size defaults to the tokenizer's and must equal it when given.
ModelConfig model_config(const Tokenizer& tok, const std::string& preset, const Json& over) {
  for (const auto& [key, value] : over.members()) {
    bool known = false;
    for (const char* k : kModelKeys) known = known || key == k;
    if (!known) {
      std::string list;
      for (const char* k : kModelKeys) list += (list.empty() ? "" : ", ") + std::string(k);
      fail(ErrorCode::Config, "unknown model option \"" + key + "\"; the options are " + list);
    }
  }
  Json j = preset.empty() ? Json::object() : preset_json(preset).get("model", Json::Type::Object);
  if (preset.empty()) {
    j.set("arch", "gpt");
    j.set("norm_eps", 1e-5);
    j.set("tie_embeddings", true);
  }
  for (const auto& [key, value] : over.members()) j.set(key, value);
  const Json* dim = over.find("dim");
  if (dim && dim->is_number() && !over.find("ffn_dim")) j.set("ffn_dim", 4 * dim->as_number());
  if (!j.find("kv_heads") || (over.find("heads") && !over.find("kv_heads"))) {
    if (const Json* h = j.find("heads")) j.set("kv_heads", *h);
  }
  const int vocab = int(tok.vocab_size());
  if (const Json* v = over.find("vocab_size")) {
    if (!v->is_number() || v->as_number() != double(vocab))
      fail(ErrorCode::Config, "vocab_size " + v->dump() + " does not match the tokenizer's vocabulary of " +
                                  std::to_string(vocab) + " tokens; leave vocab_size out to use the tokenizer's");
  }
  j.set("vocab_size", vocab);
  return ModelConfig::from_json(j);
}

ModelHandle* create_model(TokenizerHandle* tok, const std::string& preset, const std::string& overrides) {
  return guard([&]() -> ModelHandle* {
    if (!tok) fail(ErrorCode::InvalidArgument, "createModel needs a tokenizer");
    ModelConfig cfg = model_config(*tok->get(), preset, parse_options(overrides, "model config"));
    check_model_fits(cfg);
    return new ModelHandle(std::make_shared<GPT>(cfg), tok->get(), preset);
  });
}

// [{"name":..,"description":..,"model":{..},"training":{..}}, ...]
std::string presets_json() {
  return guard([&] {
    Json all = Json::array();
    for (const std::string& name : preset_names()) {
      Json p = preset_json(name);
      Json out = Json::object();
      out.set("name", name);
      for (const auto& [k, v] : p.members()) out.set(k, v);
      all.push(std::move(out));
    }
    return all.dump();
  });
}

}  // namespace

}  // namespace sllm::bind

EMSCRIPTEN_BINDINGS(sllm_model) {
  using namespace emscripten;
  using sllm::bind::ModelHandle;
  class_<ModelHandle>("ModelHandle")
      .function("configJson", &ModelHandle::configJson)
      .function("numParams", &ModelHandle::numParams)
      .function("preset", &ModelHandle::preset)
      .function("tokenizer", &ModelHandle::tokenizer, allow_raw_pointers())
      .function("save", &ModelHandle::save)
      .function("toGguf", &ModelHandle::toGguf)
      .function("isCheckpoint", &ModelHandle::isCheckpoint)
      .function("checkpointJson", &ModelHandle::checkpointJson)
      .function("metadataJson", &ModelHandle::metadataJson)
      .function("headerJson", &ModelHandle::headerJson);
  function("createModel", &sllm::bind::create_model, allow_raw_pointers());
  function("presetsJson", &sllm::bind::presets_json);
}
