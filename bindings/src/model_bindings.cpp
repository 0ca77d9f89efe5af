// model_bindings.cpp: models for JavaScript: the built-in presets, creating a GPT from a
// preset and/or explicit config fields for a tokenizer's vocabulary, and inspecting it.
#include <emscripten/bind.h>

#include "boundary.h"
#include "model/architecture.h"
#include "handles.h"

namespace sllm::bind {

std::string ModelHandle::configJson() const {
  // Every option (the file's `model` member leaves out what the arch does not use).
  return guard([&] { return ModelConfig::options().write(model_->config()).dump(); });
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
std::string ModelHandle::chatTemplate() const {
  return guard([&] { return tok_->chat_template(); });
}
std::string ModelHandle::headerJson() const {
  return guard([&] { return header_json; });
}
TokenizerHandle* ModelHandle::tokenizer() const {
  return guard([&] { return new TokenizerHandle(tok_); });
}
std::string ModelHandle::memoryJson(const std::string& kv_cache) const {
  return guard([&] {
    DType kv = DType::F32;
    if (!dtype_from_name(kv_cache, kv) || (kv != DType::F32 && kv != DType::F16))
      fail(ErrorCode::InvalidArgument, "kvCache must be \"f32\" or \"f16\", not \"" + kv_cache + "\"");
    const MemoryEstimate m = inference_memory(*model_, kv);
    Json j = Json::object();
    j.set("weights", double(m.weights));
    j.set("packed", model_->packed());
    j.set("dtype", dtype_name(held_dtype(*model_)));
    j.set("kv_cache", double(m.kv_cache));
    j.set("scratch", double(m.scratch));
    return j.dump();
  });
}
val ModelHandle::lastLogits(const val& ids) const {
  return guard([&]() -> val {
    std::vector<int32_t> x = to_ids(ids);
    if (x.empty()) fail(ErrorCode::InvalidArgument, "lastLogits needs at least one token");
    model_->forward(x.data(), nullptr, 1, int(x.size()));
    const int V = model_->config().vocab_size;
    const float* last = model_->logits() + (x.size() - 1) * size_t(V);
    return val::global("Float32Array").new_(emscripten::typed_memory_view(size_t(V), last));
  });
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

// preset: "" or a preset name; overrides: model options (snake_case) that replace the preset's,
// or the core's defaults without a preset (ModelConfig::with_overrides applies the derived
// defaults). vocab_size defaults to the tokenizer's and must equal it when given.
ModelConfig model_config(const Tokenizer& tok, const std::string& preset_name, const Json& over) {
  const int vocab = int(tok.vocab_size());
  if (const Json* v = over.find("vocab_size")) {
    if (!v->is_number() || v->as_number() != double(vocab))
      fail(ErrorCode::Config, "vocab_size " + v->dump() + " does not match the tokenizer's vocabulary of " +
                                  std::to_string(vocab) + " tokens; leave vocab_size out to use the tokenizer's");
  }
  ModelConfig base = preset_name.empty() ? ModelConfig{} : preset(preset_name);
  if (preset_name.empty()) {
    // Without a preset the shape must be given; the rest has defaults.
    for (const char* key : {"context_length", "dim", "layers", "heads"})
      if (!over.find(key))
        fail(ErrorCode::Config, std::string("invalid model config: \"") + key +
                                    "\" is needed when no preset is given (or name a preset to start from)");
  }
  Json j = over;
  j.set("vocab_size", vocab);
  return base.with_overrides(j);
}

ModelHandle* create_model(TokenizerHandle* tok, const std::string& preset, const std::string& overrides) {
  return guard([&]() -> ModelHandle* {
    if (!tok) fail(ErrorCode::InvalidArgument, "createModel needs a tokenizer");
    ModelConfig cfg = model_config(*tok->get(), preset, parse_options(overrides, "model config"));
    check_model_fits(cfg);
    return new ModelHandle(std::shared_ptr<Model>(Model::create(cfg)), tok->get(), preset);
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
      for (const auto& [k, v] : p.members()) out.set(k, k == "model" ? ModelConfig::options().write(preset(name)) : v);
      all.push(std::move(out));
    }
    return all.dump();
  });
}

// The option schemas, for the package's generated tables and types (scripts/gen-options.mjs):
// {"model": [...], "training": [...], "generation": [...]} (OptionSchema::describe).
std::string option_schema_json() {
  return guard([&] {
    Json j = Json::object();
    j.set("model", ModelConfig::options().describe(ModelConfig{}));
    j.set("training", TrainConfig::options().describe(TrainConfig{}));
    j.set("generation", SampleOptions::options().describe(SampleOptions{}));
    return j.dump();
  });
}

// What a model would take before it exists: preset and overrides as createModel's (vocab_size
// given, no tokenizer needed), training options as createTrainer's. {"parameters", "config",
// "training": {...}, "inference": {...}} with bytes per MemoryEstimate part.
std::string estimate_memory_json(const std::string& preset_name, const std::string& overrides, const std::string& training,
                                 const std::string& extras) {
  return guard([&] {
    Json over = parse_options(overrides, "model config");
    if (!over.find("vocab_size")) fail(ErrorCode::Config, "estimateMemory needs the vocabulary size (vocabSize)");
    ModelConfig base = preset_name.empty() ? ModelConfig{} : preset(preset_name);
    ModelConfig c = base.with_overrides(over);
    const TrainConfig tc = training_config(preset_name, parse_options(training, "training options"));
    // extras: {"baseDtype": the frozen base's dtype under an adapter, "threads"}
    const Json ex = parse_options(extras, "estimate options");
    DType base_dtype = DType::F32;
    if (const Json* d = ex.find("baseDtype"))
      if (!d->is_string() || !dtype_from_name(d->as_string(), base_dtype))
        fail(ErrorCode::InvalidArgument, "baseDtype must be \"f32\", \"f16\", \"q8_0\" or \"q4_0\"");
    double threads = 1;
    if (const Json* t = ex.find("threads")) threads = t->is_number() ? t->as_number() : 0;
    if (!(threads >= 1 && threads <= 64)) fail(ErrorCode::InvalidArgument, "threads must be from 1 to 64");
    tc.validate(c);
    const TrainingSetup setup = tc.memory_setup(c, base_dtype, int(threads));
    Json j = Json::object();
    j.set("parameters", double(c.param_count()));
    j.set("trainableParameters", double(tc.lora_rank > 0 ? lora_param_count(c, tc.lora(c)) : c.param_count()));
    j.set("config", ModelConfig::options().write(c));
    j.set("training", memory_json(training_memory(c, setup)));
    j.set("inference", memory_json(inference_memory(c)));
    return j.dump();
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
      .function("headerJson", &ModelHandle::headerJson)
      .function("memoryJson", &ModelHandle::memoryJson)
      .function("chatTemplate", &ModelHandle::chatTemplate)
      .function("lastLogits", &ModelHandle::lastLogits)
      .function("adapterJson", &ModelHandle::adapterJson)
      .function("loadAdapter", &ModelHandle::loadAdapter)
      .function("saveAdapter", &ModelHandle::saveAdapter)
      .function("mergeAdapter", &ModelHandle::mergeAdapter)
      .function("removeAdapter", &ModelHandle::removeAdapter)
      .function("setAdapterEnabled", &ModelHandle::setAdapterEnabled);
  function("createModel", &sllm::bind::create_model, allow_raw_pointers());
  function("presetsJson", &sllm::bind::presets_json);
  function("optionSchemaJson", &sllm::bind::option_schema_json);
  function("estimateMemoryJson", &sllm::bind::estimate_memory_json);
}
