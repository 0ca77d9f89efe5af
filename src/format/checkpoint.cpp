// checkpoint.cpp: a checkpoint's training state (the SLLM header's "training" member) and
// resuming a trainer from it so the run continues exactly as an unbroken one.
#include <cmath>
#include <limits>

#include "core/error.h"
#include "format/sllm_file.h"

namespace sllm {

namespace {
uint64_t u64_from_string(const Json& j, const char* what) {
  uint64_t v = 0;
  if (!j.is_string() || !parse_u64(j.as_string(), v))
    fail(ErrorCode::Format, std::string("invalid SLLM file: training ") + what + " must be a decimal string of a 64-bit number");
  return v;
}
}  // namespace

CheckpointState checkpoint_from_json(const Json& t) {
  CheckpointState s;
  try {
    s.step = t.get_int("step", 0, int64_t(1) << 53);
    s.tokens_seen = t.get_int("tokens_seen", 0, int64_t(1) << 53);
    const Json& opt = t.get("optimizer", Json::Type::Object);
    if (opt.get_string("name") != "adamw")
      fail(ErrorCode::Format, "invalid SLLM file: unknown optimizer \"" + opt.get_string("name") + "\"");
    s.adam_t = opt.get_int("t", 0, int64_t(1) << 53);
    s.config = TrainConfig::from_json(t.get("config", Json::Type::Object));
    const Json& rng = t.get("rng", Json::Type::Object);
    s.rng_state = u64_from_string(rng.get("state", Json::Type::String), "rng state");
    s.rng_inc = u64_from_string(rng.get("inc", Json::Type::String), "rng inc");
    const Json* best = t.find("best_val_loss");
    s.best_val = best && best->is_number() ? float(best->as_number()) : std::numeric_limits<float>::infinity();
    s.evals_without_improvement = int(t.get_int("evals_without_improvement", 0, 1 << 30));
  } catch (const Error& e) {
    if (e.code() == ErrorCode::Format) throw;
    fail(ErrorCode::Format, std::string("invalid SLLM file: the header's \"training\": ") + e.what());
  }
  return s;
}

std::unique_ptr<Trainer> resume_trainer(Model& model, CheckpointState& s, const TokenDataset& data) {
  const size_t n = model.lora() ? model.lora()->num_params() : model.num_params();
  if (s.m.size() != n || s.v.size() != n)
    fail(ErrorCode::InvalidArgument, model.lora() ? "the checkpoint's optimizer state does not belong to this adapter"
                                                  : "the checkpoint's optimizer state does not belong to this model");
  auto trainer = std::make_unique<Trainer>(model, data, s.config);
  trainer->restore(s.step, s.tokens_seen, s.best_val, s.evals_without_improvement);
  trainer->rng().set_state(s.rng_state, s.rng_inc);
  AdamW& opt = trainer->optimizer();
  opt.set_t(s.adam_t);
  opt.m() = std::move(s.m);
  opt.v() = std::move(s.v);
  return trainer;
}

std::unique_ptr<Trainer> resume_trainer(LoadedFile& file, const TokenDataset& data) {
  if (!file.checkpoint) fail(ErrorCode::InvalidArgument, "this file is a model, not a checkpoint: it cannot resume training");
  return resume_trainer(*file.model, *file.checkpoint, data);
}

}  // namespace sllm
