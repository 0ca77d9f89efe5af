// gpt_backward.cpp: the backward halves of a GPT block, on the rows the forward halves ran
// (pass_driver.h runs them over the batch or piece by piece). dres holds d(loss)/d(the half's
// output) on entry and d(loss)/d(its input) on return (the residual stream passes through).
#include <cstring>

#include "kernels/attention_blocked.h"
#include "kernels/dropout_hash.h"
#include "kernels/kernels.h"
#include "model/gpt.h"

namespace sllm {

void GPT::mlp_backward(int l, const BlockActs& a, int n, int64_t row0, float* dres) {
  const int C = cfg_.dim, F = cfg_.ffn_dim;
  const LayerViews& p = w_.layer[size_t(l)];
  Activations& s = act_;
  const LoraScratch ls = lora_scratch();
  // residual3 = residual2 + dropout(fcproj(gelu(fc(ln2(residual2))))): dres flows through unchanged.
  branch_grad(s.tmp, dres, a.fcproj_mask, a.drop, n, row0, l, kMlpOutput);
  zero_fill(s.dfch_gelu, size_t(n) * F);
  linear_op_backward(op_fcproj(l, a), s.dfch_gelu, s.tmp, a.fch_gelu, n, row0, ls);
  zero_fill(s.dfch, size_t(n) * F);
  gelu_backward(s.dfch, a.fch, s.dfch_gelu, size_t(n) * F);
  zero_fill(s.dln, size_t(n) * C);
  linear_op_backward(op_fc(l, a), s.dln, s.dfch, a.ln2, n, row0, ls);
  const LayerViews* dp = frozen() ? nullptr : &g_.layer[size_t(l)];
  layernorm_backward(dres, dp ? dp->ln2w : nullptr, dp ? dp->ln2b : nullptr, s.dln, a.residual2, p.ln2w, a.ln2_mean,
                     a.ln2_rstd, n, C);
}

void GPT::attn_backward(int l, const float* x, const BlockActs& a, int S, int T, int64_t row0, float* dres) {
  const int C = cfg_.dim, N = S * T;
  const LayerViews& p = w_.layer[size_t(l)];
  Activations& s = act_;
  const LoraScratch ls = lora_scratch();
  // residual2 = x + dropout(attproj(attention(qkv(ln1(x))))).
  branch_grad(s.tmp, dres, a.attproj_mask, a.drop, N, row0, l, kAttOutput);
  zero_fill(s.datty, size_t(N) * C);
  linear_op_backward(op_attproj(l, a), s.datty, s.tmp, a.atty, N, row0, ls);
  zero_fill(s.dqkv, size_t(N) * 3 * C);
  attend_backward(l, attention_args(a, S, T), {s.dqkv, s.dqkv + C, s.dqkv + 2 * C}, s.datty, a.att, a.att_mask, a.drop,
                  act_.shape.Q, row0);
  zero_fill(s.dln, size_t(N) * C);
  linear_op_backward(op_qkv(l, a), s.dln, s.dqkv, a.ln1, N, row0, ls);
  const LayerViews* dp = frozen() ? nullptr : &g_.layer[size_t(l)];
  layernorm_backward(dres, dp ? dp->ln1w : nullptr, dp ? dp->ln1b : nullptr, s.dln, x, p.ln1w, a.ln1_mean, a.ln1_rstd,
                     N, C);
}

}  // namespace sllm
