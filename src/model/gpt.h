// gpt.h: the GPT model (arch "gpt"): token + learned position embeddings, pre-norm blocks of
// multi-head causal self-attention and a GELU MLP, a final LayerNorm and an output head tied
// to the token embedding or not. Parameters, gradients and activations each live in one
// contiguous slab with named views carved out of it (as llm.c).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "model/config.h"

namespace sllm {

// One named parameter tensor: its GGUF-style name, shape (outermost first) and place in the slab.
struct ParamTensor {
  std::string name;
  std::vector<int64_t> shape;
  size_t offset = 0;  // in floats, from the start of the slab
  size_t numel = 0;
  bool decay = false;  // 2-D weights get weight decay; biases, norms and nothing else do not
};

// The parameter tensors a config calls for, in slab order (the SLLM spec's names and shapes),
// computed without allocating anything: the file reader validates against it first.
std::vector<ParamTensor> gpt_tensor_layout(const ModelConfig& config);

// Views into a parameter-shaped slab (the weights, or their gradients).
struct LayerViews {
  float* ln1w;      // (C)
  float* ln1b;      // (C)
  float* qkvw;      // (3C, C): attn_q | attn_k | attn_v weights, adjacent in the slab
  float* qkvb;      // (3C)
  float* attprojw;  // (C, C)
  float* attprojb;  // (C)
  float* ln2w;      // (C)
  float* ln2b;      // (C)
  float* fcw;       // (F, C)  ffn_up
  float* fcb;       // (F)
  float* fcprojw;   // (C, F)  ffn_down
  float* fcprojb;   // (C)
};
struct ParamViews {
  float* wte;  // (V, C)
  float* wpe;  // (maxT, C)
  std::vector<LayerViews> layer;
  float* lnfw;  // (C)
  float* lnfb;  // (C)
  float* wout;  // (V, C): wte itself when tie_embeddings
};

class GPT {
 public:
  // Allocates the parameters and initializes them from config.init_seed: weights normal(0, 0.02),
  // residual output projections normal(0, 0.02/sqrt(2*layers)), biases 0, norm weights 1.
  // With initialize = false the weights start at zero (for a loader that overwrites them all).
  explicit GPT(const ModelConfig& config, bool initialize = true);
  // For a loader that has already built gpt_tensor_layout(config) (so it is not held twice):
  // zero weights in that layout. Throws Error(Config) when it is not the config's layout.
  GPT(const ModelConfig& config, std::vector<ParamTensor> layout);
  GPT(const GPT&) = delete;
  GPT& operator=(const GPT&) = delete;

  const ModelConfig& config() const { return cfg_; }
  void set_dropout(float p);  // throws Error(Config) unless 0 <= p < 1
  size_t num_params() const { return params_.size(); }
  const std::vector<ParamTensor>& tensors() const { return tensors_; }
  const ParamTensor* find_tensor(const std::string& name) const;

  float* params() { return params_.data(); }
  const float* params() const { return params_.data(); }
  const ParamViews& weights() const { return w_; }
  float* grads();  // allocated (zeroed) on first use
  const ParamViews& grad_views();

  // Runs tokens (B, T) through the model. With targets (B, T), returns the mean cross-entropy
  // loss and keeps what backward() needs; without, returns 0 and leaves logits (B, T, V)
  // readable from logits(). training enables dropout (drawn from rng).
  float forward(const int32_t* tokens, const int32_t* targets, int B, int T, bool training = false,
                Rng* rng = nullptr);
  // Adds d(loss * loss_scale)/d(params) into grads. Requires a preceding forward with targets.
  void backward(float loss_scale = 1.0f);
  void zero_grad();
  const float* logits() const { return act_.logits; }
  const float* losses() const { return act_.losses; }  // (B, T) after a forward with targets

  // Bytes held by the activation slab for the last (B, T), for memory estimates.
  size_t activation_bytes() const { return act_slab_.size() * sizeof(float); }

 private:
  struct Activations {
    int B = 0, T = 0;
    bool dropout = false;
    float* encoded;               // (B, T, C)
    float *ln1, *ln1_mean, *ln1_rstd;  // (L, B, T, C), (L, B, T), (L, B, T)
    float* qkv;                   // (L, B, T, 3C)
    float* atty;                  // (L, B, T, C)
    float* att;                   // (L, B, NH, T, T) softmax before dropout
    float* residual2;             // (L, B, T, C)
    float *ln2, *ln2_mean, *ln2_rstd;  // (L, B, T, C), (L, B, T), (L, B, T)
    float* fch;                   // (L, B, T, F)
    float* fch_gelu;              // (L, B, T, F)
    float* residual3;             // (L, B, T, C)
    float *lnf, *lnf_mean, *lnf_rstd;  // (B, T, C), (B, T), (B, T)
    float* logits;                // (B, T, V): logits, then probs, then dlogits, in place
    float* losses;                // (B, T)
    float* att_mask;              // (L, B, NH, T, T) when dropout, else null
    float* attproj_mask;          // (L, B, T, C) when dropout, else null
    float* fcproj_mask;           // (L, B, T, C) when dropout, else null
    // Scratch reused layer by layer in the backward pass.
    float* tmp;                   // (B, T, C)
    float* dresidual;             // (B, T, C)
    float* dln;                   // (B, T, C)
    float* datty;                 // (B, T, C)
    float* dqkv;                  // (B, T, 3C)
    float* dfch;                  // (B, T, F)
    float* dfch_gelu;             // (B, T, F)
    float* att_scratch;           // (2, T, T)
  };

  ParamViews views(float* base) const;
  void init_weights();
  void ensure_activations(int B, int T, bool dropout);

  ModelConfig cfg_;
  std::vector<ParamTensor> tensors_;
  std::vector<float> params_;  // the parameter slab
  std::vector<float> grads_;   // the gradient slab, same layout (empty until grads())
  ParamViews w_, g_;
  std::vector<float> act_slab_;
  Activations act_{};
  std::vector<int32_t> tokens_, targets_;  // (B, T) of the last forward, for backward
  bool have_targets_ = false;
};

}  // namespace sllm
