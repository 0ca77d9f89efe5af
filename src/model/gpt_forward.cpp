// gpt_forward.cpp: the GPT's forward pieces: its linear layers with their adapters, the two
// halves of a block (shared by training and decoding), the embeddings and the final norm, and
// the decode pass. The backward halves are in gpt_backward.cpp.
#include <cstring>

#include "core/error.h"
#include "kernels/attention_blocked.h"
#include "kernels/dropout_hash.h"
#include "kernels/kernels.h"
#include "kernels/quant_kernels.h"
#include "model/decode_state.h"
#include "model/gpt.h"

namespace sllm {

LinearOp GPT::op_qkv(int l, const BlockActs& a) const {
  const int C = cfg_.dim;
  const LayerViews& p = w_.layer[size_t(l)];
  const LayerViews* g = g_.layer.empty() ? nullptr : &g_.layer[size_t(l)];
  return linear_op(l, m_.layer[size_t(l)].qkv, p.qkvb, g ? g->qkvw : nullptr, g ? g->qkvb : nullptr, C, 3 * C,
                   {{LoraTarget::AttnQ, 0}, {LoraTarget::AttnK, C}, {LoraTarget::AttnV, 2 * C}}, a.u, a.drop, a.decode, a.qs);
}

LinearOp GPT::op_attproj(int l, const BlockActs& a) const {
  const LayerViews& p = w_.layer[size_t(l)];
  const LayerViews* g = g_.layer.empty() ? nullptr : &g_.layer[size_t(l)];
  return linear_op(l, m_.layer[size_t(l)].attproj, p.attprojb, g ? g->attprojw : nullptr, g ? g->attprojb : nullptr, cfg_.dim, cfg_.dim,
                   {{LoraTarget::AttnOutput, 0}}, a.u, a.drop, a.decode, a.qs);
}

LinearOp GPT::op_fc(int l, const BlockActs& a) const {
  const LayerViews& p = w_.layer[size_t(l)];
  const LayerViews* g = g_.layer.empty() ? nullptr : &g_.layer[size_t(l)];
  return linear_op(l, m_.layer[size_t(l)].fc, p.fcb, g ? g->fcw : nullptr, g ? g->fcb : nullptr, cfg_.dim, cfg_.ffn_dim,
                   {{LoraTarget::FfnUp, 0}}, a.u, a.drop, a.decode, a.qs);
}

LinearOp GPT::op_fcproj(int l, const BlockActs& a) const {
  const LayerViews& p = w_.layer[size_t(l)];
  const LayerViews* g = g_.layer.empty() ? nullptr : &g_.layer[size_t(l)];
  return linear_op(l, m_.layer[size_t(l)].fcproj, p.fcprojb, g ? g->fcprojw : nullptr, g ? g->fcprojb : nullptr, cfg_.ffn_dim,
                   cfg_.dim, {{LoraTarget::FfnDown, 0}}, a.u, a.drop, a.decode, a.qs);
}

AttentionArgs GPT::attention_args(const BlockActs& a, int S, int T) const {
  const int C = cfg_.dim;
  return AttentionArgs{S, T, T, cfg_.heads, cfg_.heads, cfg_.head_dim(), a.qkv, 3 * C, a.qkv + C, a.qkv + 2 * C,
                       3 * C, size_t(T) * 3 * C, a.atty, C};
}

void GPT::attn_forward(int l, const float* x, const BlockActs& a, int S, int T, int64_t row0, const KVSlot* kv,
                       float* tmp, const LoraScratch& ls) const {
  const int C = cfg_.dim, N = S * T;
  const LayerViews& p = w_.layer[size_t(l)];
  layernorm_forward(a.ln1, a.ln1_mean, a.ln1_rstd, x, p.ln1w, p.ln1b, N, C, cfg_.norm_eps);
  linear_op_forward(op_qkv(l, a), a.qkv, a.ln1, N, row0, ls);
  attend(l, attention_args(a, S, T), kv, C, a.att, a.att_mask, a.drop, act_.shape.Q, row0);
  linear_op_forward(op_attproj(l, a), tmp, a.atty, N, row0, ls);
  branch_dropout(tmp, a.attproj_mask, a.drop, N, row0, l, kAttOutput);
  residual_forward(a.residual2, x, tmp, size_t(N) * C);
}

void GPT::mlp_forward(int l, const BlockActs& a, int n, int64_t row0, float* tmp, bool output,
                      const LoraScratch& ls) const {
  const int C = cfg_.dim;
  const LayerViews& p = w_.layer[size_t(l)];
  layernorm_forward(a.ln2, a.ln2_mean, a.ln2_rstd, a.residual2, p.ln2w, p.ln2b, n, C, cfg_.norm_eps);
  linear_op_forward(op_fc(l, a), a.fch, a.ln2, n, row0, ls);
  gelu_forward(a.fch_gelu, a.fch, size_t(n) * cfg_.ffn_dim);
  const LinearOp down = op_fcproj(l, a);
  if (!output) {  // the backward pass needs the adapter's u, not the block's output
    linear_op_adapters(down, a.fch_gelu, n, row0, ls);
    return;
  }
  linear_op_forward(down, tmp, a.fch_gelu, n, row0, ls);
  branch_dropout(tmp, a.fcproj_mask, a.drop, n, row0, l, kMlpOutput);
  residual_forward(a.residual3, a.residual2, tmp, size_t(n) * C);
}

void GPT::block_forward(int l, const float* residual, const BlockActs& a, int B, int T, const KVSlot* kv,
                        float* tmp, const LoraScratch& ls) const {
  attn_forward(l, residual, a, B, T, 0, kv, tmp, ls);
  mlp_forward(l, a, B * T, 0, tmp, true, ls);
}

void GPT::embed(float* out, const int32_t* tokens, int S, int T) const {
  embedding_forward(out, tokens, m_.wte, &m_.wpe, S, T);
}

void GPT::embed_backward(const float* dx, const int32_t* tokens, int S, int T) {
  if (!frozen()) encoder_backward(g_.wte, g_.wpe, dx, tokens, S, T, cfg_.dim);
}

void GPT::final_norm(float* out, float* s1, float* s2, const float* x, int n) const {
  layernorm_forward(out, s1, s2, x, w_.lnfw, w_.lnfb, n, cfg_.dim, cfg_.norm_eps);
}

void GPT::final_norm_backward(float* dx, const float* dxn, const float* x, const float* s1, const float* s2, int n) {
  layernorm_backward(dx, frozen() ? nullptr : g_.lnfw, frozen() ? nullptr : g_.lnfb, dxn, x, w_.lnfw, s1, s2, n,
                     cfg_.dim);
}

void GPT::decode_pass(DecodeState& s, const int32_t* tokens, int n) const {
  const int C = cfg_.dim;
  DecodeBufs d = decode_bufs_of<DecodeBufs>(s.scratch, n, s.pos);
  d.a.decode = true;
  d.a.qs = &s.linear;
  if (const Lora* lo = active_lora())
    for (int t = 0; t < kLoraTargets; ++t)
      d.a.u[t] = lo->config().targets >> t & 1 ? d.lora_u + size_t(t) * size_t(n) * size_t(lo->config().rank) : nullptr;
  embedding_forward(d.x, tokens, m_.wte, &m_.wpe, 1, n, s.pos);
  for (int l = 0; l < cfg_.layers; ++l) {
    const KVSlot kv{s.layer_keys(l), s.layer_values(l), s.pos};
    block_forward(l, d.x, d.a, 1, n, &kv, d.tmp, LoraScratch{});
    s.store_rows(l, n);
    std::swap(d.x, d.a.residual3);  // the block's output is the next block's input
  }
  const float* last = d.x + size_t(n - 1) * C;
  layernorm_forward(d.lnf, d.lnf + C, d.lnf + C + 1, last, w_.lnfw, w_.lnfb, 1, C, cfg_.norm_eps);
  linear_forward(s.logits.data(), d.lnf, m_.wout, nullptr, 1, s.linear);
}

}  // namespace sllm
