// trainer.h: the training loop's state machine: one optimizer step at a time (with gradient
// accumulation over micro-batches, clipping, AdamW and the learning-rate schedule),
// evaluation on fixed validation batches, and early stopping.
#pragma once
#include <cstdint>
#include <limits>
#include <memory>

#include "core/json.h"
#include "core/rng.h"
#include "data/dataset.h"
#include "model/gpt.h"
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
  int eval_interval = 250;   // steps between evaluations (callers decide; 0 = never)
  int early_stop_patience = 0;     // stop after this many evaluations without improvement (0 = off)
  float early_stop_min_delta = 0;  // an improvement must exceed this
  uint64_t seed = 1337;      // batches and dropout

  void validate(const ModelConfig& model) const;  // throws Error(Config)
  Json to_json() const;
  // Reads any subset of the keys above (the schedule's as lr, min_lr, warmup_steps,
  // decay_steps, schedule); unknown keys are an error so typos do not pass silently.
  static TrainConfig from_json(const Json& j);
};

struct StepResult {
  int64_t step;        // steps done after this one
  float loss;          // mean training loss over the step's micro-batches
  float lr;            // learning rate used
  float grad_norm;     // global norm before clipping
  int64_t tokens;      // tokens seen so far
};

struct EvalResult {
  float loss = 0;        // mean cross-entropy over the validation batches
  float perplexity = 0;  // exp(loss)
};

class Trainer {
 public:
  // The model and data must outlive the trainer.
  Trainer(GPT& model, const TokenDataset& data, const TrainConfig& cfg);

  StepResult step();     // throws Error(Training) naming the step if the loss is NaN or infinite
  EvalResult evaluate(); // updates the early-stopping state
  // evaluate() in pieces, for a caller that must not block for all of it (a browser's main
  // thread): eval_batches() prepares the fixed validation batches and returns how many there
  // are; eval_batch(i) is batch i's mean loss; finish_eval(sum of those) gives the result and
  // updates the early-stopping state. The same numbers as evaluate(), bit for bit.
  size_t eval_batches();
  double eval_batch(size_t i);
  EvalResult finish_eval(double sum);
  bool done() const { return step_ >= cfg_.max_steps || early_stopped_; }
  bool early_stopped() const { return early_stopped_; }
  float best_val_loss() const { return best_val_; }

  const TrainConfig& config() const { return cfg_; }
  int64_t steps() const { return step_; }
  int64_t tokens_seen() const { return tokens_seen_; }
  float last_lr() const { return cfg_.schedule.at(step_ > 0 ? step_ - 1 : 0); }
  GPT& model() { return model_; }
  AdamW& optimizer() { return opt_; }
  Rng& rng() { return rng_; }

  // Restoring a checkpoint: counters and early-stopping state.
  void restore(int64_t step, int64_t tokens_seen, float best_val, int evals_without_improvement);
  int evals_without_improvement() const { return bad_evals_; }

 private:
  GPT& model_;
  const TokenDataset& data_;
  TrainConfig cfg_;
  AdamW opt_;
  Rng rng_;
  Batch batch_;
  std::vector<Batch> val_;
  int64_t step_ = 0, tokens_seen_ = 0;
  float best_val_ = std::numeric_limits<float>::infinity();
  int bad_evals_ = 0;
  bool early_stopped_ = false;
};

}  // namespace sllm
