// gpt.h: the GPT architecture (arch "gpt", GPT-2's): token + learned position embeddings,
// pre-norm blocks of multi-head causal self-attention and a GELU MLP (LayerNorm, biases
// everywhere), a final LayerNorm and an output head tied to the token embedding or not.
// Parameters, gradients and activations each live in one slab with named views (as llm.c).
// A block is two halves, each with its forward and backward: attention (rows of whole
// sequences) and the MLP (any rows); block_forward (both halves) serves decoding, and the
// training passes (pass_driver.h) run the halves over the whole batch or piece by piece.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/attention.h"
#include "model/architecture.h"
#include "model/linear_op.h"
#include "model/model.h"
#include "model/pass_driver.h"

namespace sllm {

const Architecture& gpt_architecture();

class GPT final : public DrivenModel<GPT> {
 public:
  GPT(const ModelConfig& config, std::vector<ParamTensor> layout, const ModelPacking* packing = nullptr);

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

  // The matrices and embeddings as the forward passes read them (in the slab, or packed).
  struct Matrices {
    WeightView wte, wpe;
    struct Layer {
      LinearWeight qkv, attproj, fc, fcproj;
    };
    std::vector<Layer> layer;
    LinearWeight wout;
  };

  // What one block's halves write for N rows: in training, views of the activation slab (a
  // layer's, or the current piece's); in decoding, scratch reused by every layer.
  struct BlockActs {
    // attention half (rows of whole sequences)
    float *ln1, *ln1_mean, *ln1_rstd;  // (N, C), (N), (N)
    float* qkv;                        // (N, 3C)
    float* atty;                       // (N, C)
    float* att;       // (S, NH, T, T) softmax kept for backward; null when blocked or decoding
    float* att_mask;  // (S, NH, T, T) materialized dropout mask, or null
    float* residual2;                  // (N, C)
    // MLP half (any rows)
    float *ln2, *ln2_mean, *ln2_rstd;  // (N, C), (N), (N)
    float *fch, *fch_gelu;             // (N, F)
    float* residual3;                  // (N, C): the block's output
    float *attproj_mask, *fcproj_mask;  // (N, C) materialized dropout masks (legacy), or null
    float* u[kLoraTargets];             // (N, rank) the adapters' scaled A x, per target, or null
    bool drop = false;    // counter-based dropout (PassMasks) is on in this pass
    bool decode = false;  // a decode pass: single rows go through matvec (training: always gemm)
    LinearScratch* qs = nullptr;  // a packed base's quantized activations (null: the model's)
  };
  static float*& mlp_mask(BlockActs& b) { return b.fcproj_mask; }
  // a with the row views of its attention half and/or MLP half moved `rows` rows on
  // (attention: whole sequences).
  BlockActs shift(const BlockActs& a, int64_t rows, bool attention, bool mlp) const;

  // The training step's activations (see step_plan.h): in the stored modes the L layers' block
  // activations (legacy: plus logits and masks); in recompute mode one piece's block inputs and
  // buffers; and the backward pass's scratch.
  struct Activations {
    PassShape shape;
    bool masked = false;  // legacy: the last forward drew its dropout masks
    float* encoded;                    // (N, C) stored; recompute: the piece's inputs x (L+1, P, C)
    float *ln1, *ln1_mean, *ln1_rstd;  // per layer: (L, N, C), (L, N), (L, N); recompute: one piece
    float* qkv;
    float* atty;
    float* att;       // (L, B, NH, T, T) when not chunked
    float* att_mask;  // with dropout, when not chunked
    float* residual2;
    float *ln2, *ln2_mean, *ln2_rstd;  // recompute: an MLP piece's (M rows)
    float* fch;
    float* fch_gelu;
    float* residual3;  // stored modes only (recompute: the next input)
    float* u[kLoraTargets];
    float *attproj_mask, *fcproj_mask;  // legacy with dropout: (L, N, C)
    float *xf, *xf_s1, *xf_s2;          // (R, C), (R), (R): the final norm's output, mean, rstd
    float* logits;                      // (R, V): legacy: logits, then probs, then dlogits, in place
    float* losses;                      // (N)
    float* tmp;                         // (P, C) scratch of the forward and backward passes
    float *dresidual, *dln, *datty;     // (P, C) backward scratch
    float* dqkv;                        // (P, 3C)
    float *dfch, *dfch_gelu;            // (M, F)
    float *ldu, *lxd, *ltmp;            // LoRA scratch: (P, rank), (P, max(C, F)) twice with its dropout

    template <class Add>
    void plan(const ModelConfig& c, const PassShape& s, Add&& add);
    BlockActs layer(const ModelConfig& c, int l);  // stored modes: layer l over the batch
    BlockActs piece(const ModelConfig& c);         // recompute mode: the piece's buffers
  };

  // A decode pass's scratch: n rows after `past` cached positions.
  struct DecodeBufs {
    BlockActs a;        // one block's buffers, reused by every layer
    float* x;           // (n, C) the residual stream entering the current block
    float* tmp;         // (n, C)
    float* lnf;         // (C) the last row's final norm (+ its mean and rstd)
    float* lora_u;      // (n, rank) per target, when the model carries an adapter
    template <class Add>
    void plan(const ModelConfig& c, int n, int past, int lora_rank, Add&& add) {
      const uint64_t N = uint64_t(n), C = uint64_t(c.dim), F = uint64_t(c.ffn_dim);
      add(x, N * C);
      add(a.ln1, N * C), add(a.ln1_mean, N), add(a.ln1_rstd, N), add(a.qkv, N * 3 * C), add(a.atty, N * C);
      add(a.residual2, N * C), add(a.ln2, N * C), add(a.ln2_mean, N), add(a.ln2_rstd, N);
      add(a.fch, N * F), add(a.fch_gelu, N * F), add(a.residual3, N * C), add(tmp, N * C);
      add(lnf, C + 2);
      add(lora_u, N * uint64_t(lora_rank) * kLoraTargets);
    }
  };

  const ParamViews& weights() const { return w_; }

  // The block's halves (gpt_forward.cpp, gpt_backward.cpp). Rows: S sequences of T tokens, the
  // first being row row0 of the batch (dropout masks are indexed by batch row).
  void attn_forward(int l, const float* x, const BlockActs& a, int S, int T, int64_t row0, const KVSlot* kv,
                    float* tmp, const LoraScratch& ls) const;
  // output false: only what the backward pass needs (no residual3).
  void mlp_forward(int l, const BlockActs& a, int n, int64_t row0, float* tmp, bool output,
                   const LoraScratch& ls) const;
  void mlp_backward(int l, const BlockActs& a, int n, int64_t row0, float* dres);
  void attn_backward(int l, const float* x, const BlockActs& a, int S, int T, int64_t row0, float* dres);
  void embed(float* out, const int32_t* tokens, int S, int T) const;
  void embed_backward(const float* dx, const int32_t* tokens, int S, int T);
  void final_norm(float* out, float* s1, float* s2, const float* x, int n) const;
  void final_norm_backward(float* dx, const float* dxn, const float* x, const float* s1, const float* s2, int n);
  const LinearWeight& output_weight() const { return m_.wout; }
  float* output_grad() { return frozen() ? nullptr : g_.wout; }
  Activations& acts() { return act_; }
  LoraScratch lora_scratch() const { return {act_.ldu, act_.lxd, act_.ltmp}; }

 private:
  void decode_pass(DecodeState& s, const int32_t* tokens, int n) const override;
  void on_grads_allocated() override { g_ = views(grads_.data()); }
  uint64_t activation_floats(const PassShape& s) const override;
  void on_weights_moved() override {
    w_ = views(params_.data());
    m_ = matrices();
  }

  // Layer l on residual (B*T, C) into a (+ the KV cache when kv is set: B = 1, positions
  // kv->past ..). tmp: (B*T, C); ls: the linear layers' scratch (quantized activations).
  void block_forward(int l, const float* residual, const BlockActs& a, int B, int T, const KVSlot* kv,
                     float* tmp, const LoraScratch& ls) const;
  ParamViews views(float* base) const;  // a packed model's matrices are null here: see m_
  Matrices matrices() const;
  AttentionArgs attention_args(const BlockActs& a, int S, int T) const;
  // The block's linear layers with their adapters (u: the BlockActs' adapter rows).
  LinearOp op_qkv(int l, const BlockActs& a) const;
  LinearOp op_attproj(int l, const BlockActs& a) const;
  LinearOp op_fc(int l, const BlockActs& a) const;
  LinearOp op_fcproj(int l, const BlockActs& a) const;

  ParamViews w_, g_;
  Matrices m_;
  Activations act_{};
  template <class A>
  friend class PassDriver;
  friend class DrivenModel<GPT>;
};

template <class Add>
void GPT::Activations::plan(const ModelConfig& c, const PassShape& s, Add&& add) {
  const uint64_t L = uint64_t(c.layers), C = uint64_t(c.dim), F = uint64_t(c.ffn_dim), V = uint64_t(c.vocab_size);
  const uint64_t NH = uint64_t(c.heads), N = uint64_t(s.B) * uint64_t(s.T), TT = uint64_t(s.T) * uint64_t(s.T);
  const uint64_t P = uint64_t(s.P), M = uint64_t(s.M), R = uint64_t(s.R), r = uint64_t(s.lora_rank);
  const bool stored = s.stored();
  // Stored: every layer's rows of the batch; recompute: one piece (attention half P rows, MLP M).
  const uint64_t LA = stored ? L * N : P, LM = stored ? L * N : M;
  add(encoded, stored ? N * C : (L + 1) * P * C);
  add(ln1, LA * C), add(ln1_mean, LA), add(ln1_rstd, LA), add(qkv, LA * 3 * C), add(atty, LA * C);
  const uint64_t att_floats = s.plan.chunked ? 0 : LA / uint64_t(s.T) * NH * TT;
  add(att, att_floats);
  add(att_mask, s.dropout ? att_floats : 0);
  add(residual2, LA * C);
  add(ln2, LM * C), add(ln2_mean, LM), add(ln2_rstd, LM), add(fch, LM * F), add(fch_gelu, LM * F);
  add(residual3, stored ? L * N * C : 0);
  for (int t = 0; t < kLoraTargets; ++t) add(u[t], (s.lora_targets >> t) & 1 ? (lora_mlp_target(t) ? LM : LA) * r : 0);
  add(attproj_mask, s.legacy() && s.dropout ? L * N * C : 0);
  add(fcproj_mask, s.legacy() && s.dropout ? L * N * C : 0);
  add(xf, R * C), add(xf_s1, R), add(xf_s2, R), add(logits, R * V), add(losses, N);
  add(tmp, P * C), add(dresidual, P * C), add(dln, P * C), add(datty, P * C), add(dqkv, P * 3 * C);
  add(dfch, M * F), add(dfch_gelu, M * F);
  add(ldu, P * r);
  const uint64_t W = std::max(C, F);  // the widest adapter input
  add(lxd, s.lora_dropout ? P * W : 0), add(ltmp, s.lora_dropout ? P * W : 0);
}

}  // namespace sllm
