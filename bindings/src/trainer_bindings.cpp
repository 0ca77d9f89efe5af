// trainer_bindings.cpp: training for JavaScript. A trainer owns its tokenized corpus and
// shares its model; one step() call is one optimizer step (all micro-batches) in C++.
#include <emscripten/bind.h>

#include "boundary.h"
#include "handles.h"

namespace sllm::bind {

namespace {
// {step, loss, lr, gradNorm, tokens, evaluated, valLoss?, valPerplexity?, earlyStopped, done}
val step_result(const StepResult& r) {
  val o = val::object();
  o.set("step", double(r.step));
  o.set("loss", r.loss);
  o.set("lr", r.lr);
  o.set("gradNorm", r.grad_norm);
  o.set("tokens", double(r.tokens));
  o.set("evaluated", r.evaluated);
  if (r.evaluated) {
    o.set("valLoss", r.val_loss);
    o.set("valPerplexity", r.val_perplexity);
  }
  o.set("earlyStopped", r.early_stopped);
  o.set("done", r.done);
  return o;
}
}  // namespace

val TrainerHandle::advance() {
  return guard([&]() -> val {
    std::optional<StepResult> r = trainer_->advance();
    return r ? step_result(*r) : val::null();
  });
}

val TrainerHandle::trainStep() {
  return guard([&]() -> val { return step_result(trainer_->train_step()); });
}

double TrainerHandle::evalBatchCount() {
  return guard([&] { return double(trainer_->eval_batches()); });
}
double TrainerHandle::evalBatch(double i) {
  return guard([&] {
    if (!(i >= 0)) fail(ErrorCode::InvalidArgument, "evalBatch needs a batch index >= 0");
    return trainer_->eval_batch(size_t(i));
  });
}
val TrainerHandle::finishEval(double sum) {
  return guard([&]() -> val {
    EvalResult r = trainer_->finish_eval(sum);
    val o = val::object();
    o.set("loss", r.loss);
    o.set("perplexity", r.perplexity);
    return o;
  });
}

bool TrainerHandle::done() const {
  return guard([&] { return trainer_->done(); });
}
bool TrainerHandle::earlyStopped() const {
  return guard([&] { return trainer_->early_stopped(); });
}
double TrainerHandle::steps() const {
  return guard([&] { return double(trainer_->steps()); });
}
double TrainerHandle::tokensSeen() const {
  return guard([&] { return double(trainer_->tokens_seen()); });
}
double TrainerHandle::bestValLoss() const {
  return guard([&] { return double(trainer_->best_val_loss()); });
}
std::string TrainerHandle::configJson() const {
  return guard([&] { return trainer_->config().to_json().dump(); });
}

// The corpus as token ids: `tokens` when given (each checked against the vocabulary), else
// `text` encoded with the model's tokenizer.
std::vector<int32_t> corpus_ids(const ModelHandle& model, const std::string& text, const val& tokens) {
  if (tokens.isUndefined() || tokens.isNull()) return model.tok()->encode(text);
  std::vector<int32_t> ids = to_ids(tokens);
  const int32_t V = model.model()->config().vocab_size;
  for (size_t i = 0; i < ids.size(); ++i)
    if (ids[i] < 0 || ids[i] >= V)
      fail(ErrorCode::InvalidArgument, "token " + std::to_string(i) + " of the training data is " +
                                           std::to_string(ids[i]) + ", outside the model's vocabulary of " +
                                           std::to_string(V) + " tokens");
  return ids;
}

namespace {

// options: TrainConfig members (see TrainConfig::from_json) that replace the defaults, which
// are the model's preset's "training" member when it was made from a preset.
TrainerHandle* create_trainer(ModelHandle* model, const std::string& options, const std::string& text,
                              const val& tokens) {
  return guard([&]() -> TrainerHandle* {
    if (!model) fail(ErrorCode::InvalidArgument, "createTrainer needs a model");
    TrainConfig cfg = training_config(model->presetName(), parse_options(options, "training options"));
    const ModelConfig& mc = model->model()->config();
    cfg.validate(mc);
    check_training_fits(mc, cfg.memory_setup(mc));
    auto data = std::make_unique<TokenDataset>(corpus_ids(*model, text, tokens), cfg.val_fraction);
    auto h = std::make_unique<TrainerHandle>(model->model(), model->tok(), std::move(data));
    h->set_trainer(std::make_unique<Trainer>(h->model(), h->data(), cfg));
    return h.release();
  });
}

}  // namespace

}  // namespace sllm::bind

EMSCRIPTEN_BINDINGS(sllm_trainer) {
  using namespace emscripten;
  using sllm::bind::TrainerHandle;
  class_<TrainerHandle>("TrainerHandle")
      .function("advance", &TrainerHandle::advance)
      .function("trainStep", &TrainerHandle::trainStep)
      .function("evalBatchCount", &TrainerHandle::evalBatchCount)
      .function("evalBatch", &TrainerHandle::evalBatch)
      .function("finishEval", &TrainerHandle::finishEval)
      .function("done", &TrainerHandle::done)
      .function("earlyStopped", &TrainerHandle::earlyStopped)
      .function("steps", &TrainerHandle::steps)
      .function("tokensSeen", &TrainerHandle::tokensSeen)
      .function("bestValLoss", &TrainerHandle::bestValLoss)
      .function("trainTokens", &TrainerHandle::trainTokens)
      .function("valTokens", &TrainerHandle::valTokens)
      .function("configJson", &TrainerHandle::configJson)
      .function("saveCheckpoint", &TrainerHandle::saveCheckpoint)
      .function("memoryJson", &TrainerHandle::memoryJson);
  function("createTrainer", &sllm::bind::create_trainer, allow_raw_pointers());
}
