// gpt_forward.cpp: the GPT's passes: one block's forward (shared by training and decoding),
// the training forward and its hand-written backward side by side, and the decode pass.
#include <cstring>

#include "core/error.h"
#include "kernels/kernels.h"
#include "kernels/quant_kernels.h"
#include "model/decode_state.h"
#include "model/gpt.h"

namespace sllm {

void GPT::block_forward(int l, const float* residual, const BlockActs& a, int B, int T, const KVSlot* kv,
                        float* tmp, LinearScratch& ls) const {
  const int C = cfg_.dim, NH = cfg_.heads, N = B * T;
  const LayerViews& p = w_.layer[size_t(l)];
  const Matrices::Layer& m = m_.layer[size_t(l)];
  layernorm_forward(a.ln1, a.ln1_mean, a.ln1_rstd, residual, p.ln1w, p.ln1b, N, C, cfg_.norm_eps);
  linear_forward(a.qkv, a.ln1, m.qkv, p.qkvb, N, ls);
  // Keys and values come from this batch's qkv rows, or (decoding) from the cache they join.
  AttentionArgs args{B, T, T, NH, NH, C / NH, a.qkv, 3 * C, a.qkv + C, a.qkv + 2 * C, 3 * C, size_t(T) * 3 * C,
                     a.atty, C};
  if (kv) {
    for (int t = 0; t < T; ++t) {
      std::memcpy(kv->k + size_t(kv->past + t) * C, a.qkv + size_t(t) * 3 * C + C, sizeof(float) * C);
      std::memcpy(kv->v + size_t(kv->past + t) * C, a.qkv + size_t(t) * 3 * C + 2 * C, sizeof(float) * C);
    }
    args.Tk = kv->past + T, args.k = kv->k, args.v = kv->v, args.ldkv = C, args.kv_batch = 0;
  }
  if (T == 1 && !a.att) attention_step(a.atty, a.qkv, args.k, args.v, args.ldkv, args.Tk, NH, NH, C / NH);
  else attention_forward(args, a.att, a.att_mask);
  linear_forward(tmp, a.atty, m.attproj, p.attprojb, N, ls);
  if (a.attproj_mask) mul_inplace(tmp, a.attproj_mask, size_t(N) * C);
  residual_forward(a.residual2, residual, tmp, size_t(N) * C);

  layernorm_forward(a.ln2, a.ln2_mean, a.ln2_rstd, a.residual2, p.ln2w, p.ln2b, N, C, cfg_.norm_eps);
  linear_forward(a.fch, a.ln2, m.fc, p.fcb, N, ls);
  gelu_forward(a.fch_gelu, a.fch, size_t(N) * cfg_.ffn_dim);
  linear_forward(tmp, a.fch_gelu, m.fcproj, p.fcprojb, N, ls);
  if (a.fcproj_mask) mul_inplace(tmp, a.fcproj_mask, size_t(N) * C);
  residual_forward(a.residual3, a.residual2, tmp, size_t(N) * C);
}

float GPT::forward_pass(const int32_t* tokens, const int32_t* targets, int B, int T, bool dropout, Rng* rng) {
  const int C = cfg_.dim, V = cfg_.vocab_size, L = cfg_.layers;
  ensure_activations_of(act_, B, T, cfg_.dropout > 0.0f);  // masks kept allocated for train/eval alternation
  Activations& a = act_;
  const size_t BT = size_t(B) * T;
  embedding_forward(a.encoded, tokens, m_.wte, &m_.wpe, B, T);
  for (int l = 0; l < L; ++l) {
    BlockActs b = a.block(cfg_, l);
    if (dropout) {
      dropout_mask(b.att_mask, BT * size_t(cfg_.heads) * T, cfg_.dropout, *rng);
      dropout_mask(b.attproj_mask, BT * C, cfg_.dropout, *rng);
      dropout_mask(b.fcproj_mask, BT * C, cfg_.dropout, *rng);
    } else {
      b.att_mask = b.attproj_mask = b.fcproj_mask = nullptr;
    }
    block_forward(l, l == 0 ? a.encoded : a.block(cfg_, l - 1).residual3, b, B, T, nullptr, a.tmp, linear_scratch_);
  }
  layernorm_forward(a.lnf, a.lnf_mean, a.lnf_rstd, a.block(cfg_, L - 1).residual3, w_.lnfw, w_.lnfb, int(BT), C,
                    cfg_.norm_eps);
  if (packed()) linear_forward(a.logits, a.lnf, m_.wout, nullptr, int(BT), linear_scratch_);
  else matmul_forward(a.logits, a.lnf, w_.wout, nullptr, int(BT), C, V);
  logits_ = a.logits;
  if (!targets) return 0.0f;
  double total = crossentropy_forward(a.logits, a.losses, targets, int(BT), V);
  return float(total / double(BT));
}

void GPT::backward_pass(float loss_scale) {
  const int B = act_.B, T = act_.T;
  const int C = cfg_.dim, F = cfg_.ffn_dim, V = cfg_.vocab_size, NH = cfg_.heads, L = cfg_.layers;
  const size_t BT = size_t(B) * T;
  const ParamViews& g = g_;
  Activations& a = act_;
  const bool dropout = a.dropout;

  // Loss = mean over BT positions, times loss_scale.
  crossentropy_backward(a.logits, targets_.data(), int(BT), V, loss_scale / float(BT));
  std::memset(a.dln, 0, sizeof(float) * BT * C);
  matmul_backward(a.dln, g.wout, nullptr, a.logits, a.lnf, w_.wout, int(BT), C, V);
  std::memset(a.dresidual, 0, sizeof(float) * BT * C);
  const float* last = a.block(cfg_, L - 1).residual3;
  layernorm_backward(a.dresidual, g.lnfw, g.lnfb, a.dln, last, w_.lnfw, a.lnf_mean, a.lnf_rstd, int(BT), C);

  for (int l = L - 1; l >= 0; --l) {
    const LayerViews& p = w_.layer[size_t(l)];
    const LayerViews& dp = g.layer[size_t(l)];
    const BlockActs b = a.block(cfg_, l);
    const float* residual = l == 0 ? a.encoded : a.block(cfg_, l - 1).residual3;

    // residual3 = residual2 + dropout(fcproj): dresidual flows through unchanged.
    std::memcpy(a.tmp, a.dresidual, sizeof(float) * BT * C);
    if (dropout) mul_inplace(a.tmp, b.fcproj_mask, BT * C);
    std::memset(a.dfch_gelu, 0, sizeof(float) * BT * F);
    matmul_backward(a.dfch_gelu, dp.fcprojw, dp.fcprojb, a.tmp, b.fch_gelu, p.fcprojw, int(BT), F, C);
    std::memset(a.dfch, 0, sizeof(float) * BT * F);
    gelu_backward(a.dfch, b.fch, a.dfch_gelu, BT * F);
    std::memset(a.dln, 0, sizeof(float) * BT * C);
    matmul_backward(a.dln, dp.fcw, dp.fcb, a.dfch, b.ln2, p.fcw, int(BT), C, F);
    layernorm_backward(a.dresidual, dp.ln2w, dp.ln2b, a.dln, b.residual2, p.ln2w, b.ln2_mean, b.ln2_rstd, int(BT), C);

    // residual2 = residual + dropout(attproj).
    std::memcpy(a.tmp, a.dresidual, sizeof(float) * BT * C);
    if (dropout) mul_inplace(a.tmp, b.attproj_mask, BT * C);
    std::memset(a.datty, 0, sizeof(float) * BT * C);
    matmul_backward(a.datty, dp.attprojw, dp.attprojb, a.tmp, b.atty, p.attprojw, int(BT), C, C);
    std::memset(a.dqkv, 0, sizeof(float) * BT * 3 * C);
    const AttentionArgs args{B, T, T, NH, NH, C / NH, b.qkv, 3 * C, b.qkv + C, b.qkv + 2 * C, 3 * C,
                             size_t(T) * 3 * C, b.atty, C};
    attention_backward(args, {a.dqkv, a.dqkv + C, a.dqkv + 2 * C}, a.datty, b.att,
                       dropout ? b.att_mask : nullptr);
    std::memset(a.dln, 0, sizeof(float) * BT * C);
    matmul_backward(a.dln, dp.qkvw, dp.qkvb, a.dqkv, b.ln1, p.qkvw, int(BT), C, 3 * C);
    layernorm_backward(a.dresidual, dp.ln1w, dp.ln1b, a.dln, residual, p.ln1w, b.ln1_mean, b.ln1_rstd, int(BT), C);
  }
  encoder_backward(g.wte, g.wpe, a.dresidual, tokens_.data(), B, T, C);
}

void GPT::decode_pass(DecodeState& s, const int32_t* tokens, int n) const {
  const int C = cfg_.dim;
  DecodeBufs d = decode_bufs_of<DecodeBufs>(cfg_, s.scratch, n, s.pos);
  embedding_forward(d.x, tokens, m_.wte, &m_.wpe, 1, n, s.pos);
  for (int l = 0; l < cfg_.layers; ++l) {
    const KVSlot kv{s.layer_keys(l), s.layer_values(l), s.pos};
    block_forward(l, d.x, d.a, 1, n, &kv, d.tmp, s.linear);
    s.store_rows(l, n);
    std::swap(d.x, d.a.residual3);  // the block's output is the next block's input
  }
  const float* last = d.x + size_t(n - 1) * C;
  layernorm_forward(d.lnf, d.lnf + C, d.lnf + C + 1, last, w_.lnfw, w_.lnfb, 1, C, cfg_.norm_eps);
  linear_forward(s.logits.data(), d.lnf, m_.wout, nullptr, 1, s.linear);
}

}  // namespace sllm
