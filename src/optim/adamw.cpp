// adamw.cpp: see adamw.h.
#include "optim/adamw.h"

#include <cmath>

#include "core/error.h"
#include "kernels/kernels.h"

namespace sllm {

void AdamWConfig::validate() const {
  auto in01 = [](float x) { return x >= 0.0f && x < 1.0f; };
  if (!in01(beta1) || !in01(beta2)) fail(ErrorCode::Config, "AdamW betas must be in [0, 1)");
  if (!(eps > 0.0f)) fail(ErrorCode::Config, "AdamW eps must be positive");
  if (!(weight_decay >= 0.0f) || !std::isfinite(weight_decay)) fail(ErrorCode::Config, "weight decay must be >= 0");
}

AdamW::AdamW(size_t num_params, const AdamWConfig& cfg) : cfg_(cfg), m_(num_params, 0.0f), v_(num_params, 0.0f) {
  cfg_.validate();
}

void AdamW::step(float* params, const float* grads, const std::vector<ParamTensor>& tensors, float lr) {
  ++t_;
  AdamWStep s{lr, cfg_.beta1, cfg_.beta2, cfg_.eps, 0.0f,
              float(1.0 - std::pow(double(cfg_.beta1), double(t_))),
              float(1.0 - std::pow(double(cfg_.beta2), double(t_)))};
  for (const auto& t : tensors) {
    s.weight_decay = t.decay ? cfg_.weight_decay : 0.0f;
    adamw_update(params + t.offset, grads + t.offset, m_.data() + t.offset, v_.data() + t.offset, t.numel, s);
  }
}

float clip_grad_norm(float* grads, size_t n, float max_norm) {
  auto norm = float(std::sqrt(sum_squares(grads, n)));
  if (max_norm > 0.0f && std::isfinite(norm)) {
    float coef = max_norm / (norm + 1e-6f);
    if (coef < 1.0f) scale_inplace(grads, coef, n);
  }
  return norm;
}

}  // namespace sllm
