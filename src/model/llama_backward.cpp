// llama_backward.cpp: the backward halves of a llama block, on the rows the forward halves ran
// (pass_driver.h runs them over the batch or piece by piece). dres holds d(loss)/d(the half's
// output) on entry and d(loss)/d(its input) on return (the residual stream passes through).
#include <cstring>

#include "kernels/attention_blocked.h"
#include "kernels/dropout_hash.h"
#include "kernels/kernels.h"
#include "model/llama.h"

namespace sllm {

void Llama::mlp_backward(int l, const BlockActs& a, int n, int64_t row0, float* dres) {
  const int C = cfg_.dim, F = cfg_.ffn_dim;
  const LayerViews& p = w_.layer[size_t(l)];
  Activations& s = act_;
  const LoraScratch ls = lora_scratch();
  // residual3 = residual2 + dropout(down(swiglu(gate_up(rmsnorm(residual2))))).
  branch_grad(s.tmp, dres, a.ffn_mask, a.drop, n, row0, l, kMlpOutput);
  zero_fill(s.dh, size_t(n) * F);
  linear_op_backward(op_down(l, a), s.dh, s.tmp, a.h, n, row0, ls);
  zero_fill(s.dgu, size_t(n) * 2 * F);
  swiglu_backward(s.dgu, a.gu, s.dh, n, F);
  zero_fill(s.dln, size_t(n) * C);
  linear_op_backward(op_gu(l, a), s.dln, s.dgu, a.xn2, n, row0, ls);
  rmsnorm_backward(dres, frozen() ? nullptr : g_.layer[size_t(l)].ffn_norm, s.dln, a.residual2, p.ffn_norm, a.rstd2, n,
                   C);
}

void Llama::attn_backward(int l, const float* x, const BlockActs& a, int S, int T, int64_t row0, float* dres) {
  const int C = cfg_.dim, NH = cfg_.heads, NKV = cfg_.kv_heads, hs = cfg_.head_dim(), D = qkv_dim_, N = S * T;
  const LayerViews& p = w_.layer[size_t(l)];
  Activations& s = act_;
  const LoraScratch ls = lora_scratch();
  // residual2 = x + dropout(wo(attention(rope(q), rope(k), v))).
  branch_grad(s.tmp, dres, a.attproj_mask, a.drop, N, row0, l, kAttOutput);
  zero_fill(s.datty, size_t(N) * C);
  linear_op_backward(op_wo(l, a), s.datty, s.tmp, a.atty, N, row0, ls);
  zero_fill(s.dqkv, size_t(N) * D);
  attend_backward(l, attention_args(a, S, T), {s.dqkv, s.dqkv + C, s.dqkv + C + kv_dim_}, s.datty, a.att, a.att_mask,
                  a.drop, act_.shape.Q, row0);
  rope_backward(s.dqkv, S, T, D, NH, hs, 0, cos_.data(), sin_.data());
  rope_backward(s.dqkv + C, S, T, D, NKV, hs, 0, cos_.data(), sin_.data());
  zero_fill(s.dln, size_t(N) * C);
  linear_op_backward(op_qkv(l, a), s.dln, s.dqkv, a.xn1, N, row0, ls);
  rmsnorm_backward(dres, frozen() ? nullptr : g_.layer[size_t(l)].attn_norm, s.dln, x, p.attn_norm, a.rstd1, N, C);
}

}  // namespace sllm
