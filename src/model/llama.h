// llama.h: the llama architecture (arch "llama"): token embeddings without learned positions,
// pre-norm blocks of RMSNorm, grouped-query causal self-attention with rotary position
// embeddings on adjacent pairs (2i, 2i+1) of each head (as llama.cpp applies RoPE to llama
// models, so the tensors are GGUF's byte for byte) and a SwiGLU MLP, no biases anywhere, a
// final RMSNorm and an output head tied to the token embedding or not. Laid out like gpt.h:
// slabs with named views, a block in two halves (attention, MLP) whose forward serves decoding
// and training alike, the training passes in pass_driver.h.
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

const Architecture& llama_architecture();

class Llama final : public DrivenModel<Llama> {
 public:
  Llama(const ModelConfig& config, std::vector<ParamTensor> layout, const ModelPacking* packing = nullptr);

  // Views into a parameter-shaped slab. D = C + 2 * KV, KV = kv_heads * head_dim.
  struct LayerViews {
    float* attn_norm;  // (C)
    float* wqkv;       // (D, C): attn_q (C, C) | attn_k (KV, C) | attn_v (KV, C), adjacent in the slab
    float* wo;         // (C, C)  attn_output
    float* ffn_norm;   // (C)
    float* wgu;        // (2F, C): ffn_gate (F, C) | ffn_up (F, C), adjacent in the slab
    float* wdown;      // (C, F)  ffn_down
  };
  struct ParamViews {
    float* wte;  // (V, C)
    std::vector<LayerViews> layer;
    float* norm;  // (C) output_norm
    float* wout;  // (V, C): wte itself when tie_embeddings
  };

  // The matrices and embeddings as the forward passes read them (in the slab, or packed).
  struct Matrices {
    WeightView wte;
    struct Layer {
      LinearWeight wqkv, wo, wgu, wdown;
    };
    std::vector<Layer> layer;
    LinearWeight wout;
  };

  // What one block's halves write for N rows (training: a layer's or a piece's views; decoding:
  // scratch).
  struct BlockActs {
    // attention half (rows of whole sequences)
    float *xn1, *rstd1;  // (N, C), (N): attention's RMSNorm
    float* qkv;          // (N, D): q and k after RoPE, v
    float* atty;         // (N, C)
    float* att;          // (S, NH, T, T) softmax kept for backward; null when blocked or decoding
    float* att_mask;     // (S, NH, T, T) materialized dropout mask, or null
    float* residual2;    // (N, C)
    // MLP half (any rows)
    float *xn2, *rstd2;  // (N, C), (N): the MLP's RMSNorm
    float* gu;           // (N, 2F): gate | up
    float* h;            // (N, F): silu(gate) * up
    float* residual3;    // (N, C): the block's output
    float *attproj_mask, *ffn_mask;  // (N, C) materialized dropout masks (legacy), or null
    float* u[kLoraTargets];          // (N, rank) the adapters' scaled A x, per target, or null
    bool drop = false;    // counter-based dropout (PassMasks) is on in this pass
    bool decode = false;  // a decode pass: single rows go through matvec (training: always gemm)
    LinearScratch* qs = nullptr;  // a packed base's quantized activations (null: the model's)
  };
  static float*& mlp_mask(BlockActs& b) { return b.ffn_mask; }
  BlockActs shift(const BlockActs& a, int64_t rows, bool attention, bool mlp) const;

  // The training step's activations (step_plan.h's modes; as GPT::Activations).
  struct Activations {
    PassShape shape;
    bool masked = false;
    float* encoded;      // (N, C) stored; recompute: the piece's inputs x (L+1, P, C)
    float *xn1, *rstd1;  // per layer (stored) or the piece's
    float* qkv;
    float* atty;
    float* att;
    float* att_mask;
    float* residual2;
    float *xn2, *rstd2;  // recompute: an MLP piece's (M rows)
    float* gu;
    float* h;
    float* residual3;
    float* u[kLoraTargets];
    float *attproj_mask, *ffn_mask;
    float *xf, *xf_s1, *xf_s2;        // (R, C), (R), (0): the final norm's output and rstd
    float* logits;                    // (R, V)
    float* losses;                    // (N)
    float* tmp;                       // (P, C)
    float *dresidual, *dln, *datty;   // (P, C) backward scratch
    float* dqkv;                      // (P, D)
    float* dgu;                       // (M, 2F)
    float* dh;                        // (M, F)
    float *ldu, *lxd, *ltmp;          // LoRA scratch: (P, rank), (P, max(C, F)) twice with its dropout

    template <class Add>
    void plan(const ModelConfig& c, const PassShape& s, Add&& add);
    BlockActs layer(const ModelConfig& c, int l);
    BlockActs piece(const ModelConfig& c);
  };

  struct DecodeBufs {
    BlockActs a;   // one block's buffers, reused by every layer
    float* x;      // (n, C)
    float* tmp;    // (n, C)
    float* xnf;    // (C) the last row's final norm (+ its rstd)
    float* lora_u;  // (n, rank) per target, when the model carries an adapter
    template <class Add>
    void plan(const ModelConfig& c, int n, int past, int lora_rank, Add&& add) {
      const uint64_t N = uint64_t(n), C = uint64_t(c.dim), F = uint64_t(c.ffn_dim);
      const uint64_t D = C + 2 * uint64_t(c.kv_heads) * uint64_t(c.head_dim());
      add(x, N * C);
      add(a.xn1, N * C), add(a.rstd1, N), add(a.qkv, N * D), add(a.atty, N * C), add(a.residual2, N * C);
      add(a.xn2, N * C), add(a.rstd2, N), add(a.gu, N * 2 * F), add(a.h, N * F), add(a.residual3, N * C);
      add(tmp, N * C), add(xnf, C + 1);
      add(lora_u, N * uint64_t(lora_rank) * kLoraTargets);
    }
  };

  const ParamViews& weights() const { return w_; }

  // The block's halves (llama_forward.cpp, llama_backward.cpp), as GPT's.
  void attn_forward(int l, const float* x, const BlockActs& a, int S, int T, int64_t row0, const KVSlot* kv,
                    float* tmp, const LoraScratch& ls) const;
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
  LoraScratch lora_scratch() const { return {act_.ldu, act_.lxd, act_.ltmp}; }

 private:
  void decode_pass(DecodeState& s, const int32_t* tokens, int n) const override;
  void on_grads_allocated() override { g_ = views(grads_.data()); }
  uint64_t activation_floats(const PassShape& s) const override;

  void block_forward(int l, const float* residual, const BlockActs& a, int B, int T, const KVSlot* kv,
                     float* tmp, const LoraScratch& ls) const;
  AttentionArgs attention_args(const BlockActs& a, int S, int T) const;
  ParamViews views(float* base) const;  // a packed model's matrices are null here: see m_
  Matrices matrices() const;
  LinearOp op_qkv(int l, const BlockActs& a) const;
  LinearOp op_wo(int l, const BlockActs& a) const;
  LinearOp op_gu(int l, const BlockActs& a) const;
  LinearOp op_down(int l, const BlockActs& a) const;
  void on_weights_moved() override {
    w_ = views(params_.data());
    m_ = matrices();
  }

  int kv_dim_, qkv_dim_;            // KV and D
  std::vector<float> cos_, sin_;    // (context_length, head_dim) rope_table
  ParamViews w_, g_;
  Matrices m_;
  Activations act_{};
  template <class A>
  friend class PassDriver;
  friend class DrivenModel<Llama>;
};

template <class Add>
void Llama::Activations::plan(const ModelConfig& c, const PassShape& s, Add&& add) {
  const uint64_t L = uint64_t(c.layers), C = uint64_t(c.dim), F = uint64_t(c.ffn_dim), V = uint64_t(c.vocab_size);
  const uint64_t D = C + 2 * uint64_t(c.kv_heads) * uint64_t(c.head_dim());
  const uint64_t NH = uint64_t(c.heads), N = uint64_t(s.B) * uint64_t(s.T), TT = uint64_t(s.T) * uint64_t(s.T);
  const uint64_t P = uint64_t(s.P), M = uint64_t(s.M), R = uint64_t(s.R), r = uint64_t(s.lora_rank);
  const bool stored = s.stored();
  const uint64_t LA = stored ? L * N : P, LM = stored ? L * N : M;
  add(encoded, stored ? N * C : (L + 1) * P * C);
  add(xn1, LA * C), add(rstd1, LA), add(qkv, LA * D), add(atty, LA * C);
  const uint64_t att_floats = s.plan.chunked ? 0 : LA / uint64_t(s.T) * NH * TT;
  add(att, att_floats), add(att_mask, s.dropout ? att_floats : 0);
  add(residual2, LA * C), add(xn2, LM * C), add(rstd2, LM), add(gu, LM * 2 * F), add(h, LM * F);
  add(residual3, stored ? L * N * C : 0);
  for (int t = 0; t < kLoraTargets; ++t) add(u[t], (s.lora_targets >> t) & 1 ? (lora_mlp_target(t) ? LM : LA) * r : 0);
  add(attproj_mask, s.legacy() && s.dropout ? L * N * C : 0);
  add(ffn_mask, s.legacy() && s.dropout ? L * N * C : 0);
  add(xf, R * C), add(xf_s1, R), add(xf_s2, 0), add(logits, R * V), add(losses, N);
  add(tmp, P * C), add(dresidual, P * C), add(dln, P * C), add(datty, P * C), add(dqkv, P * D);
  add(dgu, M * 2 * F), add(dh, M * F);
  add(ldu, P * r);
  const uint64_t W = std::max(C, F);  // the widest adapter input
  add(lxd, s.lora_dropout ? P * W : 0), add(ltmp, s.lora_dropout ? P * W : 0);
}

}  // namespace sllm
