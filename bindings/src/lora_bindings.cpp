// lora_bindings.cpp: LoRA adapters for JavaScript (see handles.h): a model's adapter loaded,
// saved, merged, removed, switched off and on; and the memory a trainer takes, estimated by
// the core and measured. (Registered with ModelHandle and TrainerHandle in model_bindings.cpp
// and trainer_bindings.cpp.)
#include "boundary.h"
#include "core/thread_pool.h"
#include "format/adapter_file.h"
#include "handles.h"
#include "model/architecture.h"

namespace sllm::bind {

namespace {
Json adapter_facts(const Model& m) {
  const Lora* l = m.lora();
  if (!l) return Json();
  const LoraConfig& c = l->config();
  Json j = Json::object();
  j.set("rank", c.rank);
  j.set("alpha", json_float(c.alpha));
  j.set("dropout", json_float(c.dropout));
  Json targets = Json::array();
  for (int t = 0; t < kLoraTargets; ++t)
    if (c.targets >> t & 1) targets.push(lora_target_name(LoraTarget(t)));
  j.set("targets", std::move(targets));
  j.set("parameterCount", double(l->num_params()));
  j.set("enabled", l->enabled);
  return j;
}
}  // namespace

// The attention's query matrix speaks for all (the writer's rule gives the rest of a packed
// model's tensors).
DType held_dtype(const Model& m) {
  if (!m.packed()) return DType::F32;
  const std::vector<ParamTensor>& ts = m.tensors();
  for (size_t i = 0; i < ts.size(); ++i)
    if (ts[i].name.find("attn_q.weight") != std::string::npos) return m.weight(i).dtype;
  return DType::F32;
}

std::string ModelHandle::adapterJson() const {
  return guard([&] { return adapter_facts(*model_).dump(); });
}

std::string ModelHandle::loadAdapter(const val& u8) {
  return guard([&]() -> std::string {
    std::vector<uint8_t> bytes = to_bytes(u8);
    LoadedAdapter a = load_adapter(bytes.data(), bytes.size());
    attach_adapter(*model_, std::move(a.lora), a.config);
    if (a.checkpoint) model_->set_dropout(a.config.dropout);  // the run's, to resume it exactly
    adapter_checkpoint = std::shared_ptr<CheckpointState>(std::move(a.checkpoint));
    Json j = adapter_facts(*model_);
    if (adapter_checkpoint) {
      Json cp = Json::object();
      cp.set("step", adapter_checkpoint->step);
      cp.set("tokens_seen", adapter_checkpoint->tokens_seen);
      cp.set("best_val_loss", double(adapter_checkpoint->best_val));
      cp.set("config", adapter_checkpoint->config.to_json());
      j.set("checkpoint", std::move(cp));
    }
    j.set("metadata", a.metadata);
    return j.dump();
  });
}

val ModelHandle::saveAdapter(const std::string& options_json) const {
  return guard([&]() -> val {
    Json j = parse_options(options_json, "adapter save options");
    SaveOptions o;
    for (const auto& [key, value] : j.members()) {
      if (key != "metadata") fail(ErrorCode::InvalidArgument, "unknown saveAdapter option \"" + key + "\"; use metadata");
      o.metadata = j.get(key, Json::Type::Object);
    }
    return to_uint8array(save_adapter(*model_, *tok_, o));
  });
}

void ModelHandle::mergeAdapter() {
  guard([&] {
    model_->merge_lora();
    adapter_checkpoint.reset();
  });
}

void ModelHandle::removeAdapter() {
  guard([&] {
    if (!model_->lora()) fail(ErrorCode::InvalidArgument, "this model carries no LoRA adapter to remove");
    model_->detach_lora();
    adapter_checkpoint.reset();
  });
}

void ModelHandle::setAdapterEnabled(bool enabled) {
  guard([&] {
    if (!model_->lora()) fail(ErrorCode::InvalidArgument, "this model carries no LoRA adapter");
    model_->lora()->enabled = enabled;
  });
}

std::string TrainerHandle::memoryJson() const {
  return guard([&] {
    const TrainConfig& tc = trainer_->config();
    const ModelConfig& mc = model_->config();
    Json j = Json::object();
    // A LoRA run keeps a packed base as held; full training converts it to f32.
    const DType base = tc.lora_rank > 0 ? held_dtype(*model_) : DType::F32;
    j.set("estimate", memory_json(training_memory(mc, tc.memory_setup(mc, base, num_threads()))));
    const MemoryNow now = memory_now();
    j.set("wasmMemoryBytes", double(now.wasm));
    j.set("peakBytes", double(now.peak));
    return j.dump();
  });
}

}  // namespace sllm::bind
