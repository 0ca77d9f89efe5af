// trainer.cpp: see trainer.h.
#include "train/trainer.h"

#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace sllm {

void TrainConfig::validate(const ModelConfig& model) const {
  if (batch_size < 1 || batch_size > 65536) fail(ErrorCode::Config, "batch_size must be from 1 to 65536");
  if (seq_len < 1) fail(ErrorCode::Config, "seq_len must be at least 1");
  if (seq_len > model.context_length)
    fail(ErrorCode::Config, "sequence length " + std::to_string(seq_len) + " is over the model's context length " +
                                std::to_string(model.context_length) +
                                "; use a shorter sequence or a model with a longer context");
  if (grad_accum < 1) fail(ErrorCode::Config, "grad_accum must be at least 1");
  if (max_steps < 0) fail(ErrorCode::Config, "max_steps must be >= 0");
  schedule.validate();
  adamw.validate();
  if (!(grad_clip >= 0.0f)) fail(ErrorCode::Config, "grad_clip must be >= 0");
  if (dropout >= 1.0f) fail(ErrorCode::Config, "dropout must be in [0, 1)");
  if (!(val_fraction >= 0.0f && val_fraction < 1.0f)) fail(ErrorCode::Config, "val_fraction must be in [0, 1)");
  if (eval_batches < 1) fail(ErrorCode::Config, "eval_batches must be at least 1");
  if (eval_interval < 0) fail(ErrorCode::Config, "eval_interval must be >= 0");
  if (early_stop_patience < 0) fail(ErrorCode::Config, "early_stop_patience must be >= 0");
  if (lora_rank < 0) fail(ErrorCode::Config, "lora_rank must be >= 0 (0: train every weight)");
  if (lora_rank > 0) Lora::layout(model, lora(model));  // the rank fits every target, the targets exist
}

LoraConfig TrainConfig::lora(const ModelConfig& model) const {
  LoraConfig l;
  l.rank = lora_rank;
  l.alpha = lora_alpha;
  l.dropout = lora_dropout;
  l.targets = LoraConfig::parse_targets(lora_targets, model);
  return l;
}

TrainingSetup TrainConfig::memory_setup(const ModelConfig& model, DType base, int threads) const {
  TrainingSetup s;
  s.batch = batch_size;
  s.seq_len = seq_len;
  s.dropout = (dropout >= 0.0f ? dropout : model.dropout) > 0.0f;
  s.plan = plan();
  s.lora_rank = lora_rank;
  if (lora_rank > 0) s.lora_targets = lora(model).targets;
  s.lora_dropout = lora_rank > 0 && lora_dropout > 0.0f;
  s.base_dtype = base;
  s.threads = threads;
  return s;
}

StepPlan TrainConfig::plan() const {
  StepPlan p;
  p.recompute = recompute;
  p.chunked = chunked;
  return p;
}

const OptionSchema<TrainConfig>& TrainConfig::options() {
  using T = TrainConfig;
  constexpr double kBig = double(int64_t(1) << 40);
  static const OptionSchema<TrainConfig> schema{
      "training option",
      {
          SLLM_OPTION(T, batch_size, "batch_size", "batchSize", "batch", Int, 1, 65536, "Sequences per micro-batch"),
          SLLM_OPTION(T, seq_len, "seq_len", "sequenceLength", "seq", Int, 1, 1 << 16,
                      "Tokens per sequence (at most the model's contextLength)"),
          SLLM_OPTION(T, grad_accum, "grad_accum", "gradientAccumulation", "accum", Int, 1, 1 << 16,
                      "Micro-batches per optimizer step (gradient accumulation)"),
          SLLM_OPTION(T, max_steps, "max_steps", "maxSteps", "steps", Int, 0, kBig,
                      "Training ends after this many optimizer steps"),
          with_choices(SLLM_OPTION(T, schedule.kind, "schedule", "schedule", "schedule", String, 0, 0,
                                   "Learning-rate schedule: warmup, then constant, cosine or linear decay"),
                       [] { return std::vector<std::string>{"constant", "cosine", "linear"}; }),
          SLLM_OPTION(T, schedule.lr, "lr", "learningRate", "lr", Number, 0, 3.4e38, "Peak learning rate"),
          SLLM_OPTION(T, schedule.min_lr, "min_lr", "minLearningRate", "min-lr", Number, 0, 3.4e38,
                      "Learning rate reached at decaySteps"),
          SLLM_OPTION(T, schedule.warmup_steps, "warmup_steps", "warmupSteps", "warmup", Int, 0, kBig,
                      "Steps of linear warmup"),
          SLLM_OPTION(T, schedule.decay_steps, "decay_steps", "decaySteps", "decay-steps", Int, 0, kBig,
                      "Step at which decay reaches minLearningRate (follows maxSteps when only that is given)"),
          SLLM_OPTION(T, adamw.beta1, "beta1", "beta1", "beta1", Number, 0, 1, "AdamW beta1"),
          SLLM_OPTION(T, adamw.beta2, "beta2", "beta2", "beta2", Number, 0, 1, "AdamW beta2"),
          SLLM_OPTION(T, adamw.eps, "eps", "epsilon", "adam-eps", Number, 0, 1, "AdamW epsilon"),
          SLLM_OPTION(T, adamw.weight_decay, "weight_decay", "weightDecay", "wd", Number, 0, 1e3,
                      "AdamW decoupled weight decay (applied to 2-D weights)"),
          SLLM_OPTION(T, grad_clip, "grad_clip", "gradientClip", "clip", Number, 0, 1e9,
                      "Clip the gradients' global norm to this (0 = off)"),
          SLLM_OPTION(T, dropout, "dropout", "dropout", "", Number, -1, 0.999,
                      "Dropout during training; -1 keeps the model's own"),
          SLLM_OPTION(T, val_fraction, "val_fraction", "validationSplit", "val-fraction", Number, 0, 0.999,
                      "Fraction of the corpus (its end) held out for validation"),
          SLLM_OPTION(T, eval_batches, "eval_batches", "evalBatches", "eval-batches", Int, 1, 1 << 20,
                      "Validation batches per evaluation"),
          SLLM_OPTION(T, eval_interval, "eval_interval", "evalInterval", "eval-interval", Int, 0, 1 << 30,
                      "Evaluate every this many steps and after the last (0 = only after the last)"),
          SLLM_OPTION(T, early_stop_patience, "early_stop_patience", "earlyStopPatience", "patience", Int, 0, 1 << 20,
                      "Stop after this many evaluations without improvement (0 = never)"),
          SLLM_OPTION(T, early_stop_min_delta, "early_stop_min_delta", "earlyStopMinDelta", "min-delta", Number, 0, 1e9,
                      "An evaluation must improve the best validation loss by more than this"),
          SLLM_OPTION(T, seed, "seed", "seed", "seed", Seed, 0, 0, "Seed of batch sampling and dropout"),
          SLLM_OPTION(T, lora_rank, "lora_rank", "loraRank", "lora-rank", Int, 0, 1 << 16,
                      "LoRA: train a low-rank adapter of this rank on the frozen model (0 = train every weight)"),
          SLLM_OPTION(T, lora_alpha, "lora_alpha", "loraAlpha", "lora-alpha", Number, 1e-6, 1e6,
                      "LoRA: the adapter's update is scaled by loraAlpha / loraRank"),
          SLLM_OPTION(T, lora_dropout, "lora_dropout", "loraDropout", "lora-dropout", Number, 0, 0.999,
                      "LoRA: dropout on the adapter's input in training"),
          SLLM_OPTION(T, lora_targets, "lora_targets", "loraTargets", "lora-targets", String, 0, 0,
                      "LoRA: the linear layers with adapters: all, attention, mlp, or a comma-separated list of "
                      "attn_q, attn_k, attn_v, attn_output, ffn_gate (llama), ffn_up, ffn_down"),
          SLLM_OPTION(T, recompute, "recompute", "recompute", "recompute", Bool, 0, 0,
                      "Keep only each block's input and recompute the block in the backward pass (less memory, "
                      "about a third more compute; the same gradients)"),
          SLLM_OPTION(T, chunked, "chunked", "chunked", "chunked", Bool, 0, 0,
                      "Compute the output layer, the loss and attention in blocks of rows, never whole (less "
                      "memory)"),
      }};
  return schema;
}

Json TrainConfig::to_json() const { return options().write(*this); }

TrainConfig TrainConfig::from_json(const Json& j) { return TrainConfig().with_overrides(j); }

TrainConfig TrainConfig::with_overrides(const Json& over) const {
  TrainConfig c = *this;
  options().read(over, c, ErrorCode::Config);
  if (over.find("max_steps") && !over.find("decay_steps")) c.schedule.decay_steps = c.max_steps;
  return c;
}

namespace {
std::string number(float x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", double(x));
  return buf;
}
}  // namespace

size_t Trainer::prepare(Model& model, const TrainConfig& cfg) {
  cfg.validate(model.config());
  model.set_step_plan(cfg.plan());
  if (cfg.lora_rank == 0) {
    if (model.lora())
      fail(ErrorCode::Config, "this model carries a LoRA adapter: train it with loraRank " +
                                  std::to_string(model.lora()->config().rank) +
                                  " (its rank), or merge the adapter into the model first to train every weight");
    return model.num_params();
  }
  const LoraConfig want = cfg.lora(model.config());
  if (Lora* have = model.lora()) {
    const LoraConfig& h = have->config();
    if (h.rank != want.rank || h.alpha != want.alpha || h.targets != want.targets)
      fail(ErrorCode::Config, "this model carries a LoRA adapter of rank " + std::to_string(h.rank) + ", alpha " +
                                  number(h.alpha) + " on " + LoraConfig::targets_string(h.targets) +
                                  "; train it with those settings, or merge it into the model first");
    if (!have->enabled) fail(ErrorCode::Config, "this model's LoRA adapter is disabled: enable it to train it");
    have->set_dropout(want.dropout);
  } else {
    auto lora = std::make_unique<Lora>(model.config(), want);
    lora->init(cfg.seed ^ 0x10a4ull);
    model.attach_lora(std::move(lora));
  }
  return model.lora()->num_params();
}

Trainer::Trainer(Model& model, const TokenDataset& data, const TrainConfig& cfg)
    : model_(model), data_(data), cfg_(cfg), opt_(prepare(model, cfg), cfg.adamw), rng_(cfg.seed) {
  if (cfg_.dropout >= 0.0f) model_.set_dropout(cfg_.dropout);
  data_.check_fits(cfg_.seq_len, cfg_.val_fraction > 0.0f);
  model_.trainable();  // allocates the gradients
}

StepResult Trainer::step() {
  for (;;)
    if (std::optional<StepResult> r = advance()) return *r;
}

bool Trainer::eval_due() const {
  return cfg_.val_fraction > 0.0f &&
         ((cfg_.eval_interval > 0 && step_ % cfg_.eval_interval == 0) || step_ >= cfg_.max_steps);
}

std::optional<StepResult> Trainer::advance() {
  if (!eval_pending_) {
    StepResult r = train_step();
    if (!eval_due()) return r;
    pending_ = r;
    eval_pending_ = true;
    eval_next_ = 0;
    eval_sum_ = 0;
    eval_batches();
    return std::nullopt;
  }
  eval_sum_ += eval_batch(eval_next_++);
  if (eval_next_ < val_.size()) return std::nullopt;
  eval_pending_ = false;
  const EvalResult e = finish_eval(eval_sum_);
  StepResult r = pending_;
  r.evaluated = true;
  r.val_loss = e.loss;
  r.val_perplexity = e.perplexity;
  r.early_stopped = early_stopped_;
  r.done = done();
  return r;
}

StepResult Trainer::train_step() {
  if (eval_pending_) fail(ErrorCode::Training, "an evaluation is under way: finish it with advance() first");
  const int B = cfg_.batch_size, T = cfg_.seq_len;
  const float lr = cfg_.schedule.at(step_);
  model_.zero_grad();
  double loss_sum = 0.0;
  for (int micro = 0; micro < cfg_.grad_accum; ++micro) {
    data_.sample_train(rng_, B, T, batch_);
    float loss = model_.forward_backward(batch_.x.data(), batch_.y.data(), B, T, &rng_, 1.0f / float(cfg_.grad_accum));
    if (!std::isfinite(loss)) {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    "training diverged: the loss became %s at step %lld; lower the learning rate "
                    "(it was %g) or turn on gradient clipping",
                    std::isnan(loss) ? "NaN" : "infinite", static_cast<long long>(step_ + 1), double(lr));
      fail(ErrorCode::Training, buf);
    }
    loss_sum += loss;
  }
  const Model::Trainable t = model_.trainable();
  float norm = clip_grad_norm(t.grads, t.count, cfg_.grad_clip);
  if (!std::isfinite(norm))
    fail(ErrorCode::Training, "training diverged: the gradient norm became NaN or infinite at step " +
                                  std::to_string(step_ + 1) + "; lower the learning rate");
  opt_.step(t.params, t.grads, *t.tensors, lr);
  ++step_;
  tokens_seen_ += int64_t(B) * T * cfg_.grad_accum;
  StepResult r;
  r.step = step_;
  r.loss = float(loss_sum / cfg_.grad_accum);
  r.lr = lr;
  r.grad_norm = norm;
  r.tokens = tokens_seen_;
  r.early_stopped = early_stopped_;
  r.done = step_ >= cfg_.max_steps || early_stopped_;
  return r;
}

EvalResult Trainer::evaluate() {
  const size_t n = eval_batches();
  double total = 0.0;
  for (size_t i = 0; i < n; ++i) total += eval_batch(i);
  return finish_eval(total);
}

size_t Trainer::eval_batches() {
  if (cfg_.val_fraction <= 0.0f) fail(ErrorCode::Config, "evaluation needs a validation split (val_fraction > 0)");
  if (val_.empty()) val_ = data_.validation_batches(cfg_.eval_batches, cfg_.batch_size, cfg_.seq_len, 0x5eed);
  return val_.size();
}

double Trainer::eval_batch(size_t i) {
  if (i >= eval_batches()) fail(ErrorCode::InvalidArgument, "validation batch " + std::to_string(i) + " does not exist");
  const Batch& b = val_[i];
  return model_.forward(b.x.data(), b.y.data(), b.B, b.T, false);
}

EvalResult Trainer::finish_eval(double total) {
  EvalResult r;
  r.loss = float(total / double(eval_batches()));
  r.perplexity = std::exp(r.loss);
  if (r.loss < best_val_ - cfg_.early_stop_min_delta) {
    best_val_ = r.loss;
    bad_evals_ = 0;
  } else {
    ++bad_evals_;
    if (cfg_.early_stop_patience > 0 && bad_evals_ >= cfg_.early_stop_patience) early_stopped_ = true;
  }
  return r;
}

void Trainer::restore(int64_t step, int64_t tokens_seen, float best_val, int evals_without_improvement) {
  step_ = step;
  tokens_seen_ = tokens_seen;
  best_val_ = best_val;
  bad_evals_ = evals_without_improvement;
  early_stopped_ = cfg_.early_stop_patience > 0 && bad_evals_ >= cfg_.early_stop_patience;
}

}  // namespace sllm
