// format_bindings.cpp: model files for JavaScript: saving a model (any weight dtype) as SLLM or
// GGUF, or a training checkpoint, to bytes; loading an SLLM or GGUF file from bytes; and
// resuming training from a loaded checkpoint.
#include <emscripten/bind.h>

#include "boundary.h"
#include "format/adapter_file.h"
#include "format/gguf_model.h"
#include "handles.h"

namespace sllm::bind {

namespace {

SaveOptions save_options_from_json(const Json& j) {
  SaveOptions o;
  for (const auto& [key, value] : j.members()) {
    if (key == "dtype") {
      if (!dtype_from_name(j.get_string(key), o.weights))
        fail(ErrorCode::InvalidArgument, "unknown dtype \"" + j.get_string(key) + "\"; use f32, f16, q8_0 or q4_0");
    } else if (key == "metadata") {
      o.metadata = j.get(key, Json::Type::Object);  // the writer checks its values are strings
    } else {
      fail(ErrorCode::InvalidArgument, "unknown save option \"" + key + "\"; the options are dtype and metadata");
    }
  }
  return o;
}

}  // namespace

val ModelHandle::save(const std::string& options_json) const {
  return guard([&]() -> val {
    Json j = parse_options(options_json, "save options");
    std::unique_ptr<Model> merged;  // a model with an adapter saves as base + adapter
    return to_uint8array(save_model(merged_view(*model_, merged), *tok_, save_options_from_json(j)));
  });
}

val ModelHandle::toGguf(const std::string& options_json) const {
  return guard([&]() -> val {
    Json j = parse_options(options_json, "GGUF options");
    std::unique_ptr<Model> merged;
    return to_uint8array(save_gguf(merged_view(*model_, merged), *tok_, save_options_from_json(j)));
  });
}

val TrainerHandle::saveCheckpoint(const std::string& options_json) {
  return guard([&]() -> val {
    Json j = parse_options(options_json, "save options");
    return to_uint8array(save_checkpoint(*trainer_, *tok_, save_options_from_json(j)));
  });
}

namespace {

ModelHandle* load_file_bytes(const val& u8) {
  return guard([&]() -> ModelHandle* {
    // The file's bytes go into wasm memory once: an SLLM model file is kept packed for generation
    // (its matrices stay in these bytes, in their dtype; a trainer converts them to f32), and so
    // is a GGUF file's model.
    const double length = u8["length"].isNumber() ? u8["length"].as<double>() : 0;
    if (length > double(uint64_t(1) << 31))
      fail(ErrorCode::OutOfMemory, "out of memory: the file is " + std::to_string(uint64_t(length) >> 20) +
                                       " MiB, more than WebAssembly can hold in one array (2 GiB); use a smaller "
                                       "or more quantized model");
    auto bytes = std::make_shared<const std::vector<uint8_t>>(to_bytes(u8));
    const bool gguf = is_gguf(bytes->data(), bytes->size());
    LoadOptions opts;
    opts.packed = true;
    LoadedFile f = gguf ? load_gguf(bytes, opts) : load_file(bytes, opts);
    auto h = std::make_unique<ModelHandle>(std::shared_ptr<Model>(std::move(f.model)),
                                           std::shared_ptr<const Tokenizer>(std::move(f.tokenizer)), "");
    h->metadata = std::move(f.metadata);
    h->header_json = gguf ? gguf_summary(bytes->data(), bytes->size()).dump()
                          : std::string(header_text(bytes->data(), bytes->size()));
    h->checkpoint = std::shared_ptr<CheckpointState>(std::move(f.checkpoint));
    return h.release();
  });
}

TrainerHandle* resume_trainer_from(ModelHandle* model, const std::string& text, const val& tokens) {
  return guard([&]() -> TrainerHandle* {
    if (!model) fail(ErrorCode::InvalidArgument, "resumeTrainer needs a model");
    // A LoRA run's adapter checkpoint, loaded onto its base with loadAdapter, resumes the same way.
    std::shared_ptr<CheckpointState>& state = model->checkpoint ? model->checkpoint : model->adapter_checkpoint;
    if (!state)
      fail(ErrorCode::InvalidArgument,
           model->checkpoint_resumed
               ? "this checkpoint was already resumed (its model has trained on since); load the file again to "
                 "resume from it once more"
               : "this model was not loaded from a checkpoint; save one with trainer.saveCheckpoint() to resume "
                 "training, or start a new trainer");
    const CheckpointState& cp = *state;
    const ModelConfig& mc = model->model()->config();
    check_training_fits(mc, cp.config.memory_setup(mc));
    auto data = std::make_unique<TokenDataset>(corpus_ids(*model, text, tokens), cp.config.val_fraction);
    auto h = std::make_unique<TrainerHandle>(model->model(), model->tok(), std::move(data));
    // The resumed trainer consumes the checkpoint's state (the model's weights move on from it).
    h->set_trainer(resume_trainer(*model->model(), *state, h->data()));
    state.reset();
    model->checkpoint_resumed = true;
    return h.release();
  });
}

}  // namespace

}  // namespace sllm::bind

EMSCRIPTEN_BINDINGS(sllm_format) {
  using namespace emscripten;
  function("loadFile", &sllm::bind::load_file_bytes, allow_raw_pointers());
  function("resumeTrainer", &sllm::bind::resume_trainer_from, allow_raw_pointers());
}
