// adamw.h: the AdamW optimizer over a model's parameter slab: first and second moments in
// two slabs of the same layout, bias correction, weight decay on 2-D weights only, and
// global-norm gradient clipping.
#pragma once
#include <cstdint>
#include <vector>

#include "core/json.h"
#include "model/layout.h"

namespace sllm {

struct AdamWConfig {
  float beta1 = 0.9f, beta2 = 0.99f, eps = 1e-8f, weight_decay = 0.1f;
  void validate() const;  // throws Error(Config)
};

class AdamW {
 public:
  AdamW(size_t num_params, const AdamWConfig& cfg);

  // One update at learning rate lr, using tensors' decay flags. Increments t() first.
  void step(float* params, const float* grads, const std::vector<ParamTensor>& tensors, float lr);

  const AdamWConfig& config() const { return cfg_; }
  int64_t t() const { return t_; }
  std::vector<float>& m() { return m_; }  // (num_params) first moments
  std::vector<float>& v() { return v_; }  // (num_params) second moments
  void set_t(int64_t t) { t_ = t; }

 private:
  AdamWConfig cfg_;
  std::vector<float> m_, v_;
  int64_t t_ = 0;
};

// Scales grads so their global L2 norm is at most max_norm (as torch.nn.utils.clip_grad_norm_:
// factor max_norm / (norm + 1e-6) when below 1). Returns the norm before clipping.
float clip_grad_norm(float* grads, size_t n, float max_norm);

}  // namespace sllm
