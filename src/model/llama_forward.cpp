// llama_forward.cpp: the llama passes: one block's forward (shared by training and decoding),
// the training forward and its hand-written backward side by side, and the decode pass.
#include <cstring>

#include "core/error.h"
#include "kernels/kernels.h"
#include "kernels/quant_kernels.h"
#include "model/decode_state.h"
#include "model/llama.h"

namespace sllm {

AttentionArgs Llama::attention_args(const BlockActs& a, int B, int T) const {
  const int D = qkv_dim_, C = cfg_.dim;
  return AttentionArgs{B,         T, T, cfg_.heads, cfg_.kv_heads, cfg_.head_dim(), a.qkv, D, a.qkv + C,
                       a.qkv + C + kv_dim_, D, size_t(T) * D, a.atty, C};
}

void Llama::block_forward(int l, const float* residual, const BlockActs& a, int B, int T, const KVSlot* kv,
                          float* tmp, LinearScratch& ls) const {
  const int C = cfg_.dim, F = cfg_.ffn_dim, NH = cfg_.heads, NKV = cfg_.kv_heads, hs = cfg_.head_dim();
  const int D = qkv_dim_, KV = kv_dim_, N = B * T, pos0 = kv ? kv->past : 0;
  const LayerViews& p = w_.layer[size_t(l)];
  const Matrices::Layer& m = m_.layer[size_t(l)];
  rmsnorm_forward(a.xn1, a.rstd1, residual, p.attn_norm, N, C, cfg_.norm_eps);
  linear_forward(a.qkv, a.xn1, m.wqkv, nullptr, N, ls);
  rope_forward(a.qkv, B, T, D, NH, hs, pos0, cos_.data(), sin_.data());       // q
  rope_forward(a.qkv + C, B, T, D, NKV, hs, pos0, cos_.data(), sin_.data());  // k
  AttentionArgs args = attention_args(a, B, T);
  if (kv) {
    for (int t = 0; t < T; ++t) {
      std::memcpy(kv->k + size_t(kv->past + t) * KV, a.qkv + size_t(t) * D + C, sizeof(float) * KV);
      std::memcpy(kv->v + size_t(kv->past + t) * KV, a.qkv + size_t(t) * D + C + KV, sizeof(float) * KV);
    }
    args.Tk = kv->past + T, args.k = kv->k, args.v = kv->v, args.ldkv = KV, args.kv_batch = 0;
  }
  if (T == 1 && !a.att) attention_step(a.atty, a.qkv, args.k, args.v, args.ldkv, args.Tk, NH, NKV, hs);
  else attention_forward(args, a.att, a.att_mask);
  linear_forward(tmp, a.atty, m.wo, nullptr, N, ls);
  if (a.attproj_mask) mul_inplace(tmp, a.attproj_mask, size_t(N) * C);
  residual_forward(a.residual2, residual, tmp, size_t(N) * C);

  rmsnorm_forward(a.xn2, a.rstd2, a.residual2, p.ffn_norm, N, C, cfg_.norm_eps);
  linear_forward(a.gu, a.xn2, m.wgu, nullptr, N, ls);
  swiglu_forward(a.h, a.gu, N, F);
  linear_forward(tmp, a.h, m.wdown, nullptr, N, ls);
  if (a.ffn_mask) mul_inplace(tmp, a.ffn_mask, size_t(N) * C);
  residual_forward(a.residual3, a.residual2, tmp, size_t(N) * C);
}

float Llama::forward_pass(const int32_t* tokens, const int32_t* targets, int B, int T, bool dropout, Rng* rng) {
  const int C = cfg_.dim, V = cfg_.vocab_size, L = cfg_.layers;
  ensure_activations_of(act_, B, T, cfg_.dropout > 0.0f);
  Activations& a = act_;
  const size_t BT = size_t(B) * T;
  embedding_forward(a.encoded, tokens, m_.wte, nullptr, B, T);
  for (int l = 0; l < L; ++l) {
    BlockActs b = a.block(cfg_, l);
    if (dropout) {
      dropout_mask(b.att_mask, BT * size_t(cfg_.heads) * T, cfg_.dropout, *rng);
      dropout_mask(b.attproj_mask, BT * C, cfg_.dropout, *rng);
      dropout_mask(b.ffn_mask, BT * C, cfg_.dropout, *rng);
    } else {
      b.att_mask = b.attproj_mask = b.ffn_mask = nullptr;
    }
    block_forward(l, l == 0 ? a.encoded : a.block(cfg_, l - 1).residual3, b, B, T, nullptr, a.tmp, linear_scratch_);
  }
  rmsnorm_forward(a.xnf, a.rstdf, a.block(cfg_, L - 1).residual3, w_.norm, int(BT), C, cfg_.norm_eps);
  if (packed()) linear_forward(a.logits, a.xnf, m_.wout, nullptr, int(BT), linear_scratch_);
  else matmul_forward(a.logits, a.xnf, w_.wout, nullptr, int(BT), C, V);
  logits_ = a.logits;
  if (!targets) return 0.0f;
  double total = crossentropy_forward(a.logits, a.losses, targets, int(BT), V);
  return float(total / double(BT));
}

void Llama::backward_pass(float loss_scale) {
  const int B = act_.B, T = act_.T;
  const int C = cfg_.dim, F = cfg_.ffn_dim, V = cfg_.vocab_size, L = cfg_.layers, D = qkv_dim_;
  const int NH = cfg_.heads, NKV = cfg_.kv_heads, hs = cfg_.head_dim();
  const size_t BT = size_t(B) * T;
  const ParamViews& g = g_;
  Activations& a = act_;
  const bool dropout = a.dropout;

  crossentropy_backward(a.logits, targets_.data(), int(BT), V, loss_scale / float(BT));
  std::memset(a.dxn, 0, sizeof(float) * BT * C);
  matmul_backward(a.dxn, g.wout, nullptr, a.logits, a.xnf, w_.wout, int(BT), C, V);
  std::memset(a.dresidual, 0, sizeof(float) * BT * C);
  rmsnorm_backward(a.dresidual, g.norm, a.dxn, a.block(cfg_, L - 1).residual3, w_.norm, a.rstdf, int(BT), C);

  for (int l = L - 1; l >= 0; --l) {
    const LayerViews& p = w_.layer[size_t(l)];
    const LayerViews& dp = g.layer[size_t(l)];
    const BlockActs b = a.block(cfg_, l);
    const float* residual = l == 0 ? a.encoded : a.block(cfg_, l - 1).residual3;

    // residual3 = residual2 + dropout(down(swiglu(gate_up(rmsnorm(residual2))))).
    std::memcpy(a.tmp, a.dresidual, sizeof(float) * BT * C);
    if (dropout) mul_inplace(a.tmp, b.ffn_mask, BT * C);
    std::memset(a.dh, 0, sizeof(float) * BT * F);
    matmul_backward(a.dh, dp.wdown, nullptr, a.tmp, b.h, p.wdown, int(BT), F, C);
    std::memset(a.dgu, 0, sizeof(float) * BT * 2 * F);
    swiglu_backward(a.dgu, b.gu, a.dh, int(BT), F);
    std::memset(a.dxn, 0, sizeof(float) * BT * C);
    matmul_backward(a.dxn, dp.wgu, nullptr, a.dgu, b.xn2, p.wgu, int(BT), C, 2 * F);
    rmsnorm_backward(a.dresidual, dp.ffn_norm, a.dxn, b.residual2, p.ffn_norm, b.rstd2, int(BT), C);

    // residual2 = residual + dropout(wo(attention(rope(q), rope(k), v))).
    std::memcpy(a.tmp, a.dresidual, sizeof(float) * BT * C);
    if (dropout) mul_inplace(a.tmp, b.attproj_mask, BT * C);
    std::memset(a.datty, 0, sizeof(float) * BT * C);
    matmul_backward(a.datty, dp.wo, nullptr, a.tmp, b.atty, p.wo, int(BT), C, C);
    std::memset(a.dqkv, 0, sizeof(float) * BT * D);
    attention_backward(attention_args(b, B, T), {a.dqkv, a.dqkv + C, a.dqkv + C + kv_dim_}, a.datty, b.att,
                       dropout ? b.att_mask : nullptr);
    rope_backward(a.dqkv, B, T, D, NH, hs, 0, cos_.data(), sin_.data());
    rope_backward(a.dqkv + C, B, T, D, NKV, hs, 0, cos_.data(), sin_.data());
    std::memset(a.dxn, 0, sizeof(float) * BT * C);
    matmul_backward(a.dxn, dp.wqkv, nullptr, a.dqkv, b.xn1, p.wqkv, int(BT), C, D);
    rmsnorm_backward(a.dresidual, dp.attn_norm, a.dxn, residual, p.attn_norm, b.rstd1, int(BT), C);
  }
  encoder_backward(g.wte, nullptr, a.dresidual, tokens_.data(), B, T, C);
}

void Llama::decode_pass(DecodeState& s, const int32_t* tokens, int n) const {
  const int C = cfg_.dim;
  DecodeBufs d = decode_bufs_of<DecodeBufs>(cfg_, s.scratch, n, s.pos);
  embedding_forward(d.x, tokens, m_.wte, nullptr, 1, n);
  for (int l = 0; l < cfg_.layers; ++l) {
    const KVSlot kv{s.layer_keys(l), s.layer_values(l), s.pos};
    block_forward(l, d.x, d.a, 1, n, &kv, d.tmp, s.linear);
    s.store_rows(l, n);
    std::swap(d.x, d.a.residual3);  // the block's output is the next block's input
  }
  rmsnorm_forward(d.xnf, d.xnf + C, d.x + size_t(n - 1) * C, w_.norm, 1, C, cfg_.norm_eps);
  linear_forward(s.logits.data(), d.xnf, m_.wout, nullptr, 1, s.linear);
}

}  // namespace sllm
