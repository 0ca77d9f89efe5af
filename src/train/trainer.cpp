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
}

Json TrainConfig::to_json() const {
  Json j = Json::object();
  j.set("batch_size", batch_size);
  j.set("seq_len", seq_len);
  j.set("grad_accum", grad_accum);
  j.set("max_steps", max_steps);
  j.set("schedule", schedule.kind);
  j.set("lr", json_float(schedule.lr));
  j.set("min_lr", json_float(schedule.min_lr));
  j.set("warmup_steps", schedule.warmup_steps);
  j.set("decay_steps", schedule.decay_steps);
  j.set("beta1", json_float(adamw.beta1));
  j.set("beta2", json_float(adamw.beta2));
  j.set("eps", json_float(adamw.eps));
  j.set("weight_decay", json_float(adamw.weight_decay));
  j.set("grad_clip", json_float(grad_clip));
  j.set("dropout", json_float(dropout));
  j.set("val_fraction", json_float(val_fraction));
  j.set("eval_batches", eval_batches);
  j.set("eval_interval", eval_interval);
  j.set("early_stop_patience", early_stop_patience);
  j.set("early_stop_min_delta", json_float(early_stop_min_delta));
  j.set("seed", std::to_string(seed));
  return j;
}

TrainConfig TrainConfig::from_json(const Json& j) {
  if (!j.is_object()) fail(ErrorCode::Config, "training options must be an object");
  TrainConfig c;
  bool decay_given = false;
  try {
    for (const auto& member : j.members()) {
      // Named references, not a structured binding: clang 14 (Emscripten 3.1.6) cannot
      // capture structured bindings in lambdas.
      const auto& key = member.first;
      const auto& val = member.second;
      auto num = [&] { return float(j.get_number(key)); };
      auto integer = [&](int64_t lo, int64_t hi) { return j.get_int(key, lo, hi); };
      if (key == "batch_size") c.batch_size = int(integer(1, 65536));
      else if (key == "seq_len") c.seq_len = int(integer(1, 1 << 16));
      else if (key == "grad_accum") c.grad_accum = int(integer(1, 1 << 16));
      else if (key == "max_steps") c.max_steps = integer(0, int64_t(1) << 40);
      else if (key == "schedule") c.schedule.kind = j.get_string(key);
      else if (key == "lr") c.schedule.lr = num();
      else if (key == "min_lr") c.schedule.min_lr = num();
      else if (key == "warmup_steps") c.schedule.warmup_steps = integer(0, int64_t(1) << 40);
      else if (key == "decay_steps") { c.schedule.decay_steps = integer(0, int64_t(1) << 40); decay_given = true; }
      else if (key == "beta1") c.adamw.beta1 = num();
      else if (key == "beta2") c.adamw.beta2 = num();
      else if (key == "eps") c.adamw.eps = num();
      else if (key == "weight_decay") c.adamw.weight_decay = num();
      else if (key == "grad_clip") c.grad_clip = num();
      else if (key == "dropout") c.dropout = num();
      else if (key == "val_fraction") c.val_fraction = num();
      else if (key == "eval_batches") c.eval_batches = int(integer(1, 1 << 20));
      else if (key == "eval_interval") c.eval_interval = int(integer(0, 1 << 30));
      else if (key == "early_stop_patience") c.early_stop_patience = int(integer(0, 1 << 20));
      else if (key == "early_stop_min_delta") c.early_stop_min_delta = num();
      else if (key == "seed") {
        if (!val.is_string()) c.seed = uint64_t(integer(0, int64_t(1) << 53));
        else if (!parse_u64(val.as_string(), c.seed))
          fail(ErrorCode::Config, "\"seed\" must be a whole number from 0 to 2^64-1");
      } else {
        fail(ErrorCode::Config, "unknown training option \"" + key + "\"");
      }
    }
  } catch (const Error& e) {
    if (e.code() == ErrorCode::Config) throw;
    fail(ErrorCode::Config, std::string("invalid training options: ") + e.what());
  }
  if (!decay_given) c.schedule.decay_steps = c.max_steps;
  return c;
}

Trainer::Trainer(GPT& model, const TokenDataset& data, const TrainConfig& cfg)
    : model_(model), data_(data), cfg_(cfg), opt_(model.num_params(), cfg.adamw), rng_(cfg.seed) {
  cfg_.validate(model.config());
  if (cfg_.dropout >= 0.0f) model_.set_dropout(cfg_.dropout);
  data_.check_fits(cfg_.seq_len, cfg_.val_fraction > 0.0f);
  model_.grads();
}

StepResult Trainer::step() {
  const int B = cfg_.batch_size, T = cfg_.seq_len;
  const float lr = cfg_.schedule.at(step_);
  model_.zero_grad();
  double loss_sum = 0.0;
  for (int micro = 0; micro < cfg_.grad_accum; ++micro) {
    data_.sample_train(rng_, B, T, batch_);
    float loss = model_.forward(batch_.x.data(), batch_.y.data(), B, T, true, &rng_);
    if (!std::isfinite(loss)) {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    "training diverged: the loss became %s at step %lld; lower the learning rate "
                    "(it was %g) or turn on gradient clipping",
                    std::isnan(loss) ? "NaN" : "infinite", static_cast<long long>(step_ + 1), double(lr));
      fail(ErrorCode::Training, buf);
    }
    model_.backward(1.0f / float(cfg_.grad_accum));
    loss_sum += loss;
  }
  float norm = clip_grad_norm(model_.grads(), model_.num_params(), cfg_.grad_clip);
  if (!std::isfinite(norm))
    fail(ErrorCode::Training, "training diverged: the gradient norm became NaN or infinite at step " +
                                  std::to_string(step_ + 1) + "; lower the learning rate");
  opt_.step(model_.params(), model_.grads(), model_.tensors(), lr);
  ++step_;
  tokens_seen_ += int64_t(B) * T * cfg_.grad_accum;
  return StepResult{step_, float(loss_sum / cfg_.grad_accum), lr, norm, tokens_seen_};
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
