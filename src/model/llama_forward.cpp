// llama_forward.cpp: the llama's forward pieces: its linear layers with their adapters, the two
// halves of a block (shared by training and decoding), the embeddings and the final norm, and
// the decode pass. The backward halves are in llama_backward.cpp.
#include <cstring>

#include "core/error.h"
#include "kernels/attention_blocked.h"
#include "kernels/dropout_hash.h"
#include "kernels/kernels.h"
#include "kernels/quant_kernels.h"
#include "model/decode_state.h"
#include "model/llama.h"

namespace sllm {

LinearOp Llama::op_qkv(int l, const BlockActs& a) const {
  const int C = cfg_.dim, KV = kv_dim_;
  const LayerViews* g = g_.layer.empty() ? nullptr : &g_.layer[size_t(l)];
  return linear_op(l, m_.layer[size_t(l)].wqkv, nullptr, g ? g->wqkv : nullptr, nullptr, C, qkv_dim_,
                   {{LoraTarget::AttnQ, 0}, {LoraTarget::AttnK, C}, {LoraTarget::AttnV, C + KV}}, a.u, a.drop, a.decode, a.qs);
}

LinearOp Llama::op_wo(int l, const BlockActs& a) const {
  const LayerViews* g = g_.layer.empty() ? nullptr : &g_.layer[size_t(l)];
  return linear_op(l, m_.layer[size_t(l)].wo, nullptr, g ? g->wo : nullptr, nullptr, cfg_.dim, cfg_.dim,
                   {{LoraTarget::AttnOutput, 0}}, a.u, a.drop, a.decode, a.qs);
}

LinearOp Llama::op_gu(int l, const BlockActs& a) const {
  const int F = cfg_.ffn_dim;
  const LayerViews* g = g_.layer.empty() ? nullptr : &g_.layer[size_t(l)];
  return linear_op(l, m_.layer[size_t(l)].wgu, nullptr, g ? g->wgu : nullptr, nullptr, cfg_.dim, 2 * F,
                   {{LoraTarget::FfnGate, 0}, {LoraTarget::FfnUp, F}}, a.u, a.drop, a.decode, a.qs);
}

LinearOp Llama::op_down(int l, const BlockActs& a) const {
  const LayerViews* g = g_.layer.empty() ? nullptr : &g_.layer[size_t(l)];
  return linear_op(l, m_.layer[size_t(l)].wdown, nullptr, g ? g->wdown : nullptr, nullptr, cfg_.ffn_dim, cfg_.dim,
                   {{LoraTarget::FfnDown, 0}}, a.u, a.drop, a.decode, a.qs);
}

AttentionArgs Llama::attention_args(const BlockActs& a, int S, int T) const {
  const int D = qkv_dim_, C = cfg_.dim;
  return AttentionArgs{S,         T, T, cfg_.heads, cfg_.kv_heads, cfg_.head_dim(), a.qkv, D, a.qkv + C,
                       a.qkv + C + kv_dim_, D, size_t(T) * D, a.atty, C};
}

void Llama::attn_forward(int l, const float* x, const BlockActs& a, int S, int T, int64_t row0, const KVSlot* kv,
                         float* tmp, const LoraScratch& ls) const {
  const int C = cfg_.dim, NH = cfg_.heads, NKV = cfg_.kv_heads, hs = cfg_.head_dim();
  const int D = qkv_dim_, N = S * T, pos0 = kv ? kv->past : 0;
  const LayerViews& p = w_.layer[size_t(l)];
  rmsnorm_forward(a.xn1, a.rstd1, x, p.attn_norm, N, C, cfg_.norm_eps);
  linear_op_forward(op_qkv(l, a), a.qkv, a.xn1, N, row0, ls);
  rope_forward(a.qkv, S, T, D, NH, hs, pos0, cos_.data(), sin_.data());       // q
  rope_forward(a.qkv + C, S, T, D, NKV, hs, pos0, cos_.data(), sin_.data());  // k
  attend(l, attention_args(a, S, T), kv, kv_dim_, a.att, a.att_mask, a.drop, act_.shape.Q, row0);
  linear_op_forward(op_wo(l, a), tmp, a.atty, N, row0, ls);
  branch_dropout(tmp, a.attproj_mask, a.drop, N, row0, l, kAttOutput);
  residual_forward(a.residual2, x, tmp, size_t(N) * C);
}

void Llama::mlp_forward(int l, const BlockActs& a, int n, int64_t row0, float* tmp, bool output,
                        const LoraScratch& ls) const {
  const int C = cfg_.dim;
  const LayerViews& p = w_.layer[size_t(l)];
  rmsnorm_forward(a.xn2, a.rstd2, a.residual2, p.ffn_norm, n, C, cfg_.norm_eps);
  linear_op_forward(op_gu(l, a), a.gu, a.xn2, n, row0, ls);
  swiglu_forward(a.h, a.gu, n, cfg_.ffn_dim);
  const LinearOp down = op_down(l, a);
  if (!output) {  // the backward pass needs the adapter's u, not the block's output
    linear_op_adapters(down, a.h, n, row0, ls);
    return;
  }
  linear_op_forward(down, tmp, a.h, n, row0, ls);
  branch_dropout(tmp, a.ffn_mask, a.drop, n, row0, l, kMlpOutput);
  residual_forward(a.residual3, a.residual2, tmp, size_t(n) * C);
}

void Llama::block_forward(int l, const float* residual, const BlockActs& a, int B, int T, const KVSlot* kv,
                          float* tmp, const LoraScratch& ls) const {
  attn_forward(l, residual, a, B, T, 0, kv, tmp, ls);
  mlp_forward(l, a, B * T, 0, tmp, true, ls);
}

void Llama::embed(float* out, const int32_t* tokens, int S, int T) const {
  embedding_forward(out, tokens, m_.wte, nullptr, S, T);
}

void Llama::embed_backward(const float* dx, const int32_t* tokens, int S, int T) {
  if (!frozen()) encoder_backward(g_.wte, nullptr, dx, tokens, S, T, cfg_.dim);
}

void Llama::final_norm(float* out, float* s1, float*, const float* x, int n) const {
  rmsnorm_forward(out, s1, x, w_.norm, n, cfg_.dim, cfg_.norm_eps);
}

void Llama::final_norm_backward(float* dx, const float* dxn, const float* x, const float* s1, const float*, int n) {
  rmsnorm_backward(dx, frozen() ? nullptr : g_.norm, dxn, x, w_.norm, s1, n, cfg_.dim);
}

void Llama::decode_pass(DecodeState& s, const int32_t* tokens, int n) const {
  const int C = cfg_.dim;
  DecodeBufs d = decode_bufs_of<DecodeBufs>(s.scratch, n, s.pos);
  d.a.decode = true;
  d.a.qs = &s.linear;
  if (const Lora* lo = active_lora())
    for (int t = 0; t < kLoraTargets; ++t)
      d.a.u[t] = lo->config().targets >> t & 1 ? d.lora_u + size_t(t) * size_t(n) * size_t(lo->config().rank) : nullptr;
  embedding_forward(d.x, tokens, m_.wte, nullptr, 1, n);
  for (int l = 0; l < cfg_.layers; ++l) {
    const KVSlot kv{s.layer_keys(l), s.layer_values(l), s.pos};
    block_forward(l, d.x, d.a, 1, n, &kv, d.tmp, LoraScratch{});
    s.store_rows(l, n);
    std::swap(d.x, d.a.residual3);  // the block's output is the next block's input
  }
  rmsnorm_forward(d.xnf, d.xnf + C, d.x + size_t(n - 1) * C, w_.norm, 1, C, cfg_.norm_eps);
  linear_forward(s.logits.data(), d.xnf, m_.wout, nullptr, 1, s.linear);
}

}  // namespace sllm
