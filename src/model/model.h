// model.h: the interface every architecture implements (gpt.h, llama.h), and what they share:
// the config, the parameter layout (layout.h) with its parameter and gradient slabs, input
// checks, and the activation slab carved into named views (as llm.c). Training runs forward()
// then backward(); generation runs decode() on a DecodeState (decode_state.h) through the same
// block code and kernels as training. The trainer, the generators, the file reader/writer and
// the bindings use only this interface; architecture.h says which architectures exist.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/layout.h"

namespace sllm {

class Rng;
struct DecodeState;

class Model {
 public:
  // A model of config.arch, weights initialized from config.init_seed by the layout's Init rules,
  // or all zero with initialize = false (for a loader that overwrites them all). Throws
  // Error(Config) for an invalid config.
  static std::unique_ptr<Model> create(const ModelConfig& config, bool initialize = true);
  // For a loader that has already built the config's layout (so it is not held twice): zero
  // weights. Throws Error(Config) when it is not the config's layout.
  static std::unique_ptr<Model> create(const ModelConfig& config, std::vector<ParamTensor> layout);
  virtual ~Model() = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const ModelConfig& config() const { return cfg_; }
  void set_dropout(float p);  // throws Error(Config) unless 0 <= p < 1
  size_t num_params() const { return params_.size(); }
  const std::vector<ParamTensor>& tensors() const { return tensors_; }
  const ParamTensor* find_tensor(const std::string& name) const;

  float* params() { return params_.data(); }
  const float* params() const { return params_.data(); }
  float* grads();  // allocated (zeroed) on first use
  void zero_grad();

  // Runs tokens (B, T) through the model. With targets (B, T), returns the mean cross-entropy
  // loss and keeps what backward() needs; without, returns 0 and leaves logits (B, T, V)
  // readable from logits(). training enables dropout (drawn from rng). Throws
  // Error(InvalidArgument) for a bad shape or an id outside the vocabulary.
  float forward(const int32_t* tokens, const int32_t* targets, int B, int T, bool training = false,
                Rng* rng = nullptr);
  // Adds d(loss * loss_scale)/d(params) into grads. Requires a preceding forward with targets.
  void backward(float loss_scale = 1.0f);
  const float* logits() const { return logits_; }

  // Generation (decoder.h wraps it): runs n new tokens at positions s.pos .. s.pos + n - 1 as one
  // batch, appends their keys and values to s's cache, advances s.pos and leaves the last
  // token's logits (V) in s.logits. Throws Error(InvalidArgument) when they do not fit.
  void decode(DecodeState& s, const int32_t* tokens, int n) const;

 protected:
  Model(const ModelConfig& config, std::vector<ParamTensor> layout);

  // The architecture's passes; forward/backward/decode above check their input and call these.
  virtual float forward_pass(const int32_t* tokens, const int32_t* targets, int B, int T, bool dropout,
                             Rng* rng) = 0;
  virtual void backward_pass(float loss_scale) = 0;
  virtual void decode_pass(DecodeState& s, const int32_t* tokens, int n) const = 0;
  virtual void on_grads_allocated() = 0;  // builds the gradient views

  // The slab of named float views (activations, scratch): plan(add) calls add(view, count) for
  // each view in order; carve() sizes the slab from it (exactly, zero-filled, or with grow_only
  // just large enough, keeping what it holds) and points each view into it (16-byte aligned).
  // slab_floats() gives the size the same plan needs, without allocating.
  template <class Plan>
  static uint64_t slab_floats(Plan&& plan);
  template <class Plan>
  static void carve(std::vector<float>& slab, Plan&& plan, bool grow_only = false);

  ModelConfig cfg_;
  std::vector<ParamTensor> tensors_;
  std::vector<float> params_;  // the parameter slab, in tensors_' layout
  std::vector<float> grads_;   // the gradient slab, same layout (empty until grads())
  std::vector<float> act_slab_;
  const float* logits_ = nullptr;
  std::vector<int32_t> tokens_, targets_;  // (B, T) of the last forward, for backward
  bool have_targets_ = false;
};

template <class Plan>
uint64_t Model::slab_floats(Plan&& plan) {
  uint64_t total = 0;
  plan([&](float*& /*view*/, uint64_t n) { total += (n + 3) & ~uint64_t(3); });
  return total;
}

template <class Plan>
void Model::carve(std::vector<float>& slab, Plan&& plan, bool grow_only) {
  const uint64_t total = slab_floats(plan);
  if (!grow_only) {
    slab.clear();
    slab.shrink_to_fit();
    slab.assign(size_t(total), 0.0f);
  } else if (slab.size() < total) {
    slab.resize(size_t(total));
  }
  float* p = slab.data();
  plan([&](float*& view, uint64_t n) {
    view = p;
    p += (n + 3) & ~uint64_t(3);  // keep every view 16-byte aligned
  });
}

}  // namespace sllm
