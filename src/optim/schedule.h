// schedule.h: learning-rate schedules. Step s counts from 0 (the first optimizer step).
//   warmup (all kinds): s < warmup_steps  ->  lr * (s + 1) / (warmup_steps + 1)
//   "constant":  lr after warmup
//   "cosine":    min_lr + 0.5 (1 + cos(pi r)) (lr - min_lr),  r = (s - warmup) / (decay_steps - warmup)
//   "linear":    lr + r (min_lr - lr)
//   after decay_steps (cosine, linear): min_lr
// These are nanoGPT's formulas, so its reference runs are reproduced step for step.
#pragma once
#include <cstdint>
#include <string>


namespace sllm {

struct Schedule {
  std::string kind = "cosine";  // "constant", "cosine" or "linear"
  float lr = 1e-3f;             // peak learning rate
  float min_lr = 1e-4f;         // floor reached at decay_steps
  int64_t warmup_steps = 100;
  int64_t decay_steps = 2000;   // step at which decay reaches min_lr

  float at(int64_t step) const;
  void validate() const;  // throws Error(Config)
};

}  // namespace sllm
