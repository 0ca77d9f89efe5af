// schedule.cpp: see schedule.h.
#include "optim/schedule.h"

#include <cmath>

#include "core/error.h"

namespace sllm {

float Schedule::at(int64_t step) const {
  if (step < warmup_steps) return float(double(lr) * double(step + 1) / double(warmup_steps + 1));
  if (kind == "constant") return lr;
  if (step > decay_steps) return min_lr;
  double span = double(decay_steps - warmup_steps);
  double r = span > 0 ? double(step - warmup_steps) / span : 1.0;
  if (kind == "linear") return float(double(lr) + r * (double(min_lr) - double(lr)));
  double coeff = 0.5 * (1.0 + std::cos(3.14159265358979323846 * r));
  return float(double(min_lr) + coeff * (double(lr) - double(min_lr)));
}

void Schedule::validate() const {
  if (kind != "constant" && kind != "cosine" && kind != "linear")
    fail(ErrorCode::Config, "unknown learning-rate schedule \"" + kind + "\"; use constant, cosine or linear");
  if (!(lr > 0.0f) || !std::isfinite(lr)) fail(ErrorCode::Config, "learning rate must be a positive number");
  if (!(min_lr >= 0.0f) || min_lr > lr) fail(ErrorCode::Config, "min_lr must be from 0 to the learning rate");
  if (warmup_steps < 0) fail(ErrorCode::Config, "warmup_steps must be >= 0");
  if (decay_steps < 0) fail(ErrorCode::Config, "decay_steps must be >= 0");
}

}  // namespace sllm
