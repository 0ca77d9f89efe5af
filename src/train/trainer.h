// trainer.h: the training loop's state machine: one optimizer step at a time (with gradient
// accumulation over micro-batches, clipping, AdamW and the learning-rate schedule),
// evaluation on fixed validation batches on its own schedule, and early stopping.
#pragma once
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "core/json.h"
#include "core/options.h"
#include "core/rng.h"
#include "data/dataset.h"
#include "model/architecture.h"
#include "model/model.h"
#include "optim/adamw.h"
#include "optim/schedule.h"

namespace sllm {

struct TrainConfig {
  int batch_size = 12;       // sequences per micro-batch
  int seq_len = 64;          // tokens per sequence (at most the model's context length)
  int grad_accum = 1;        // micro-batches per optimizer step
  int64_t max_steps = 2000;  // done() after this many steps
  Schedule schedule;         // learning rate (its decay_steps defaults to max_steps)
  AdamWConfig adamw;
  float grad_clip = 1.0f;    // global-norm clipping; 0 turns it off
  float dropout = -1.0f;     // overrides the model's dropout when >= 0
  float val_fraction = 0.1f; // last part of the corpus held out for validation
  int eval_batches = 20;     // fixed validation batches per evaluation
  int eval_interval = 250;   // evaluate every this many steps and after the last (0 = only after the last)
  int early_stop_patience = 0;     // stop after this many evaluations without improvement (0 = off)
  float early_stop_min_delta = 0;  // an improvement must exceed this
  uint64_t seed = 1337;      // batches and dropout
  // LoRA (model/lora.h): lora_rank > 0 trains an adapter of that rank on a frozen base.
  int lora_rank = 0;
  float lora_alpha = 8.0f;
  float lora_dropout = 0.0f;
  std::string lora_targets = "all";  // LoraConfig::parse_targets
  // Memory for compute (model/step_plan.h).
  bool recompute = false;
  bool chunked = false;

  void validate(const ModelConfig& model) const;  // throws Error(Config)
  // The adapter these settings ask for on a model of config `model` (lora_rank > 0).
  LoraConfig lora(const ModelConfig& model) const;
  StepPlan plan() const;
  // The memory estimate's setup of these settings on a model of config `model` (an adapter when
  // lora_rank > 0; base: the base weights' dtype as held).
  TrainingSetup memory_setup(const ModelConfig& model, DType base = DType::F32, int threads = 1) const;
  // Every option's key, package name, CLI flag, kind, range and documentation (trainer.cpp).
  static const OptionSchema<TrainConfig>& options();
  Json to_json() const;
  // These settings with any subset of the options replaced (the schedule's as lr, min_lr,
  // warmup_steps, decay_steps, schedule); unknown keys are an error so typos do not pass
  // silently. Giving max_steps without decay_steps moves decay_steps to it. Throws Error(Config).
  TrainConfig with_overrides(const Json& over) const;
  static TrainConfig from_json(const Json& j);  // the defaults with_overrides(j)
};

struct StepResult {
  int64_t step = 0;       // steps done after this one
  float loss = 0;         // mean training loss over the step's micro-batches
  float lr = 0;           // learning rate used
  float grad_norm = 0;    // global norm before clipping
  int64_t tokens = 0;     // tokens seen so far
  bool evaluated = false; // the schedule evaluated after this step: val_loss/val_perplexity are set
  float val_loss = 0, val_perplexity = 0;
  bool early_stopped = false;  // early stopping has ended training
  bool done = false;           // training is over (max_steps reached or stopped early)
};

struct EvalResult {
  float loss = 0;        // mean cross-entropy over the validation batches
  float perplexity = 0;  // exp(loss)
};

class Trainer {
 public:
  // The model and data must outlive the trainer. It sets the model's step plan; with lora_rank
  // > 0 it attaches a new adapter (initialized from seed) unless the model carries one with the
  // same rank, alpha and targets already (a loaded adapter trains on; Error(Config) for another).
  // Without LoRA, a model that carries an adapter is refused (merge or detach it first).
  Trainer(Model& model, const TokenDataset& data, const TrainConfig& cfg);

  // One optimizer step and, when the schedule calls for it (every eval_interval steps and after
  // the last, given a validation split), the evaluation after it. Throws Error(Training) naming
  // the step if the loss is NaN or infinite.
  StepResult step();
  // The same work in pieces of at most one optimizer step or one validation batch, for a caller
  // that must not block for a whole evaluation (a browser's main thread): returns the step's
  // result once it is complete (after its evaluation, if any), nothing before. step() is
  // advance() until a result, so both give the same numbers.
  std::optional<StepResult> advance();
  // An optimizer step without the schedule's evaluation.
  StepResult train_step();
  EvalResult evaluate(); // updates the early-stopping state
  // evaluate() in pieces, for a caller that must not block for all of it (a browser's main
  // thread): eval_batches() prepares the fixed validation batches and returns how many there
  // are; eval_batch(i) is batch i's mean loss; finish_eval(sum of those) gives the result and
  // updates the early-stopping state. The same numbers as evaluate(), bit for bit.
  size_t eval_batches();
  double eval_batch(size_t i);
  EvalResult finish_eval(double sum);
  bool done() const { return (step_ >= cfg_.max_steps || early_stopped_) && !eval_pending_; }
  bool early_stopped() const { return early_stopped_; }
  float best_val_loss() const { return best_val_; }

  const TrainConfig& config() const { return cfg_; }
  int64_t steps() const { return step_; }
  int64_t tokens_seen() const { return tokens_seen_; }
  float last_lr() const { return cfg_.schedule.at(step_ > 0 ? step_ - 1 : 0); }
  Model& model() { return model_; }
  AdamW& optimizer() { return opt_; }
  Rng& rng() { return rng_; }

  // Restoring a checkpoint: counters and early-stopping state.
  void restore(int64_t step, int64_t tokens_seen, float best_val, int evals_without_improvement);
  int evals_without_improvement() const { return bad_evals_; }

 private:
  Model& model_;
  const TokenDataset& data_;
  TrainConfig cfg_;
  static size_t prepare(Model& model, const TrainConfig& cfg);  // plan and adapter; trainable count
  AdamW opt_;
  Rng rng_;
  Batch batch_;
  std::vector<Batch> val_;
  bool eval_due() const;
  StepResult pending_;  // a step whose scheduled evaluation is under way in advance()
  bool eval_pending_ = false;
  size_t eval_next_ = 0;
  double eval_sum_ = 0;
  int64_t step_ = 0, tokens_seen_ = 0;
  float best_val_ = std::numeric_limits<float>::infinity();
  int bad_evals_ = 0;
  bool early_stopped_ = false;
};

}  // namespace sllm
