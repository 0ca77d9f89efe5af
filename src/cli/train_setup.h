// train_setup.h: what sllm-train trains when it does not start a new model: a saved model to
// fine-tune (--model FILE: SLLM or GGUF, with --adapter FILE's saved adapter attached to train
// on), or a checkpoint to resume (--resume FILE; a LoRA run's adapter checkpoint resumes on its
// base, --model FILE).
#pragma once
#include <memory>
#include <string>

#include "cli/args.h"
#include "cli/files.h"
#include "format/adapter_file.h"
#include "format/gguf_model.h"
#include "train/trainer.h"

namespace sllm::cli {

struct TrainSetup {
  std::unique_ptr<Tokenizer> tok;
  std::unique_ptr<Model> model;
  std::unique_ptr<TokenDataset> data;
  std::unique_ptr<Trainer> trainer;
};

inline const uint8_t* bytes_of(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// True when bytes are an SLLM adapter file (its header's "model" has "adapter").
inline bool is_adapter_file(const std::string& bytes) {
  const std::string_view h = header_text(bytes_of(bytes), bytes.size());
  if (h.empty() || bytes.compare(0, 4, "SLLM") != 0) return false;
  try {
    const Json j = Json::parse(std::string(h));
    const Json* m = j.find("model");
    return m && m->is_object() && m->find("adapter");
  } catch (const Error&) {
    return false;
  }
}

// A model file (SLLM or GGUF): its matrices stay in its bytes and dtype (packed: q8_0 / q4_0 run
// the integer kernels, and a LoRA fine-tune keeps its base so; full training converts it to f32).
inline LoadedFile load_model_file(const std::string& path) {
  auto bytes = [&] {
    const std::string text = read_file(path);
    return std::make_shared<const std::vector<uint8_t>>(text.begin(), text.end());
  }();
  LoadOptions lo;
  lo.packed = true;
  return is_gguf(bytes->data(), bytes->size()) ? load_gguf(bytes, lo) : load_file(bytes, lo);
}

// The model of --model (any format the tools read), with --adapter's adapter attached.
inline LoadedFile load_base(const Args& args) {
  LoadedFile f = load_model_file(args.str("model"));
  if (args.has("adapter")) {
    const std::string a = read_file(args.str("adapter"));
    LoadedAdapter ad = load_adapter(bytes_of(a), a.size());
    attach_adapter(*f.model, std::move(ad.lora), ad.config);
  }
  return f;
}

// Resumes --resume's checkpoint on text: a model checkpoint on its own, an adapter checkpoint
// on --model's base.
inline TrainSetup resume(const Args& args, const std::string& text) {
  TrainSetup s;
  const std::string bytes = read_file(args.str("resume"));
  if (is_adapter_file(bytes)) {
    if (!args.has("model"))
      Args::die("--resume " + args.str("resume") + " is a LoRA run's checkpoint: give its base model with --model FILE");
    LoadedFile base = load_model_file(args.str("model"));
    LoadedAdapter a = load_adapter(bytes_of(bytes), bytes.size());
    if (!a.checkpoint) Args::die("--resume " + args.str("resume") + " is an adapter, not a checkpoint of a LoRA run");
    s.tok = std::move(base.tokenizer);
    s.model = std::move(base.model);
    s.data = std::make_unique<TokenDataset>(s.tok->encode(text), a.checkpoint->config.val_fraction);
    s.trainer = resume_adapter_trainer(*s.model, a, *s.data);
    return s;
  }
  LoadedFile f = load_file(bytes_of(bytes), bytes.size());
  if (!f.checkpoint) Args::die("--resume " + args.str("resume") + " is a model, not a checkpoint");
  s.tok = std::move(f.tokenizer);
  s.model = std::move(f.model);
  s.data = std::make_unique<TokenDataset>(s.tok->encode(text), f.checkpoint->config.val_fraction);
  s.trainer = resume_trainer(*s.model, *f.checkpoint, *s.data);
  return s;
}

}  // namespace sllm::cli
