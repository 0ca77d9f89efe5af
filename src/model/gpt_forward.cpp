// gpt_forward.cpp: the GPT's forward pass and its hand-written backward pass, side by side.
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "kernels/kernels.h"
#include "model/gpt.h"

namespace sllm {

float GPT::forward(const int32_t* tokens, const int32_t* targets, int B, int T, bool training, Rng* rng) {
  const int C = cfg_.dim, F = cfg_.ffn_dim, V = cfg_.vocab_size, NH = cfg_.heads, L = cfg_.layers;
  if (B < 1 || T < 1) fail(ErrorCode::InvalidArgument, "batch size and sequence length must be at least 1");
  if (T > cfg_.context_length)
    fail(ErrorCode::InvalidArgument, "sequence length " + std::to_string(T) + " exceeds the model's context length " +
                                         std::to_string(cfg_.context_length));
  const size_t BT = size_t(B) * T;
  for (size_t i = 0; i < BT; ++i) {
    if (tokens[i] < 0 || tokens[i] >= V)
      fail(ErrorCode::InvalidArgument, "token id " + std::to_string(tokens[i]) + " is outside the vocabulary of " +
                                           std::to_string(V));
    if (targets && (targets[i] < 0 || targets[i] >= V))
      fail(ErrorCode::InvalidArgument, "target id " + std::to_string(targets[i]) + " is outside the vocabulary of " +
                                           std::to_string(V));
  }
  const bool dropout = training && cfg_.dropout > 0.0f;
  if (dropout && !rng) fail(ErrorCode::InvalidArgument, "training with dropout needs a random generator");
  ensure_activations(B, T, cfg_.dropout > 0.0f);  // masks kept allocated for train/eval alternation
  Activations& a = act_;
  tokens_.assign(tokens, tokens + BT);
  have_targets_ = targets != nullptr;
  if (targets) targets_.assign(targets, targets + BT);

  encoder_forward(a.encoded, tokens, w_.wte, w_.wpe, B, T, C);
  const size_t att_per_layer = size_t(B) * NH * T * T;
  for (int l = 0; l < L; ++l) {
    const LayerViews& p = w_.layer[size_t(l)];
    const float* residual = l == 0 ? a.encoded : a.residual3 + size_t(l - 1) * BT * C;
    float* ln1 = a.ln1 + size_t(l) * BT * C;
    float* qkv = a.qkv + size_t(l) * BT * 3 * C;
    float* atty = a.atty + size_t(l) * BT * C;
    float* att = a.att + size_t(l) * att_per_layer;
    float* residual2 = a.residual2 + size_t(l) * BT * C;
    float* ln2 = a.ln2 + size_t(l) * BT * C;
    float* fch = a.fch + size_t(l) * BT * F;
    float* fch_gelu = a.fch_gelu + size_t(l) * BT * F;
    float* residual3 = a.residual3 + size_t(l) * BT * C;
    float* att_mask = dropout ? a.att_mask + size_t(l) * att_per_layer : nullptr;
    float* attproj_mask = dropout ? a.attproj_mask + size_t(l) * BT * C : nullptr;
    float* fcproj_mask = dropout ? a.fcproj_mask + size_t(l) * BT * C : nullptr;
    if (dropout) {
      dropout_mask(att_mask, att_per_layer, cfg_.dropout, *rng);
      dropout_mask(attproj_mask, BT * C, cfg_.dropout, *rng);
      dropout_mask(fcproj_mask, BT * C, cfg_.dropout, *rng);
    }

    layernorm_forward(ln1, a.ln1_mean + size_t(l) * BT, a.ln1_rstd + size_t(l) * BT, residual, p.ln1w, p.ln1b,
                      int(BT), C, cfg_.norm_eps);
    matmul_forward(qkv, ln1, p.qkvw, p.qkvb, int(BT), C, 3 * C);
    attention_forward(atty, att, a.att_scratch, qkv, att_mask, B, T, C, NH);
    matmul_forward(a.tmp, atty, p.attprojw, p.attprojb, int(BT), C, C);
    if (dropout) mul_inplace(a.tmp, attproj_mask, BT * C);
    residual_forward(residual2, residual, a.tmp, BT * C);

    layernorm_forward(ln2, a.ln2_mean + size_t(l) * BT, a.ln2_rstd + size_t(l) * BT, residual2, p.ln2w, p.ln2b,
                      int(BT), C, cfg_.norm_eps);
    matmul_forward(fch, ln2, p.fcw, p.fcb, int(BT), C, F);
    gelu_forward(fch_gelu, fch, BT * F);
    matmul_forward(a.tmp, fch_gelu, p.fcprojw, p.fcprojb, int(BT), F, C);
    if (dropout) mul_inplace(a.tmp, fcproj_mask, BT * C);
    residual_forward(residual3, residual2, a.tmp, BT * C);
  }
  const float* last = a.residual3 + size_t(L - 1) * BT * C;
  layernorm_forward(a.lnf, a.lnf_mean, a.lnf_rstd, last, w_.lnfw, w_.lnfb, int(BT), C, cfg_.norm_eps);
  matmul_forward(a.logits, a.lnf, w_.wout, nullptr, int(BT), C, V);
  if (!targets) return 0.0f;
  double total = crossentropy_forward(a.logits, a.losses, targets, int(BT), V);
  return float(total / double(BT));
}

void GPT::backward(float loss_scale) {
  if (!have_targets_ || act_.B == 0)
    fail(ErrorCode::Training, "backward() needs a preceding forward() with targets");
  have_targets_ = false;  // the in-place dlogits consume the probabilities
  const int B = act_.B, T = act_.T;
  const int C = cfg_.dim, F = cfg_.ffn_dim, V = cfg_.vocab_size, NH = cfg_.heads, L = cfg_.layers;
  const size_t BT = size_t(B) * T;
  const ParamViews& g = grad_views();
  Activations& a = act_;
  const bool dropout = a.dropout;
  const size_t att_per_layer = size_t(B) * NH * T * T;

  // Loss = mean over BT positions, times loss_scale.
  crossentropy_backward(a.logits, targets_.data(), int(BT), V, loss_scale / float(BT));
  std::memset(a.dln, 0, sizeof(float) * BT * C);
  matmul_backward(a.dln, g.wout, nullptr, a.logits, a.lnf, w_.wout, int(BT), C, V);
  std::memset(a.dresidual, 0, sizeof(float) * BT * C);
  const float* last = a.residual3 + size_t(L - 1) * BT * C;
  layernorm_backward(a.dresidual, g.lnfw, g.lnfb, a.dln, last, w_.lnfw, a.lnf_mean, a.lnf_rstd, int(BT), C);

  for (int l = L - 1; l >= 0; --l) {
    const LayerViews& p = w_.layer[size_t(l)];
    const LayerViews& dp = g.layer[size_t(l)];
    const float* residual = l == 0 ? a.encoded : a.residual3 + size_t(l - 1) * BT * C;
    const float* ln1 = a.ln1 + size_t(l) * BT * C;
    const float* qkv = a.qkv + size_t(l) * BT * 3 * C;
    const float* atty = a.atty + size_t(l) * BT * C;
    const float* att = a.att + size_t(l) * att_per_layer;
    const float* residual2 = a.residual2 + size_t(l) * BT * C;
    const float* ln2 = a.ln2 + size_t(l) * BT * C;
    const float* fch = a.fch + size_t(l) * BT * F;
    const float* fch_gelu = a.fch_gelu + size_t(l) * BT * F;
    const float* att_mask = dropout ? a.att_mask + size_t(l) * att_per_layer : nullptr;

    // residual3 = residual2 + dropout(fcproj): dresidual flows through unchanged.
    std::memcpy(a.tmp, a.dresidual, sizeof(float) * BT * C);
    if (dropout) mul_inplace(a.tmp, a.fcproj_mask + size_t(l) * BT * C, BT * C);
    std::memset(a.dfch_gelu, 0, sizeof(float) * BT * F);
    matmul_backward(a.dfch_gelu, dp.fcprojw, dp.fcprojb, a.tmp, fch_gelu, p.fcprojw, int(BT), F, C);
    std::memset(a.dfch, 0, sizeof(float) * BT * F);
    gelu_backward(a.dfch, fch, a.dfch_gelu, BT * F);
    std::memset(a.dln, 0, sizeof(float) * BT * C);
    matmul_backward(a.dln, dp.fcw, dp.fcb, a.dfch, ln2, p.fcw, int(BT), C, F);
    layernorm_backward(a.dresidual, dp.ln2w, dp.ln2b, a.dln, residual2, p.ln2w, a.ln2_mean + size_t(l) * BT,
                       a.ln2_rstd + size_t(l) * BT, int(BT), C);

    // residual2 = residual + dropout(attproj).
    std::memcpy(a.tmp, a.dresidual, sizeof(float) * BT * C);
    if (dropout) mul_inplace(a.tmp, a.attproj_mask + size_t(l) * BT * C, BT * C);
    std::memset(a.datty, 0, sizeof(float) * BT * C);
    matmul_backward(a.datty, dp.attprojw, dp.attprojb, a.tmp, atty, p.attprojw, int(BT), C, C);
    std::memset(a.dqkv, 0, sizeof(float) * BT * 3 * C);
    attention_backward(a.dqkv, a.att_scratch, a.datty, qkv, att, att_mask, B, T, C, NH);
    std::memset(a.dln, 0, sizeof(float) * BT * C);
    matmul_backward(a.dln, dp.qkvw, dp.qkvb, a.dqkv, ln1, p.qkvw, int(BT), C, 3 * C);
    layernorm_backward(a.dresidual, dp.ln1w, dp.ln1b, a.dln, residual, p.ln1w, a.ln1_mean + size_t(l) * BT,
                       a.ln1_rstd + size_t(l) * BT, int(BT), C);
  }
  encoder_backward(g.wte, g.wpe, a.dresidual, tokens_.data(), B, T, C);
}

}  // namespace sllm
