// llama.h: the llama architecture (arch "llama"): token embeddings without learned positions,
// pre-norm blocks of RMSNorm, grouped-query causal self-attention with rotary position
// embeddings on adjacent pairs (2i, 2i+1) of each head (as llama.cpp applies RoPE to llama
// models, so the tensors are GGUF's byte for byte) and a SwiGLU MLP, no biases anywhere, a
// final RMSNorm and an output head tied to the token embedding or not. Laid out like gpt.h:
// slabs with named views, one block_forward for training and decoding.
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/attention.h"
#include "model/architecture.h"
#include "model/model.h"

namespace sllm {

const Architecture& llama_architecture();

class Llama final : public Model {
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

  // What one block's forward writes, N = B*T rows (training: layer l's views; decoding: scratch).
  struct BlockActs {
    float *xn1, *rstd1;  // (N, C), (N): attention's RMSNorm
    float* qkv;          // (N, D): q and k after RoPE, v
    float* atty;         // (N, C)
    float* att;          // (B, NH, T, T) softmax kept for backward; null when decoding
    float* residual2;    // (N, C)
    float *xn2, *rstd2;  // (N, C), (N): the MLP's RMSNorm
    float* gu;           // (N, 2F): gate | up
    float* h;            // (N, F): silu(gate) * up
    float* residual3;    // (N, C): the block's output
    float *att_mask, *attproj_mask, *ffn_mask;  // dropout masks, null without dropout
  };

  struct Activations {
    int B = 0, T = 0;
    bool dropout = false;
    float* encoded;                    // (B, T, C)
    float *xn1, *rstd1;                // (L, B, T, C), (L, B, T)
    float* qkv;                        // (L, B, T, D)
    float* atty;                       // (L, B, T, C)
    float* att;                        // (L, B, NH, T, T)
    float* residual2;                  // (L, B, T, C)
    float *xn2, *rstd2;                // (L, B, T, C), (L, B, T)
    float* gu;                         // (L, B, T, 2F)
    float* h;                          // (L, B, T, F)
    float* residual3;                  // (L, B, T, C)
    float *xnf, *rstdf;                // (B, T, C), (B, T)
    float* logits;                     // (B, T, V): logits, then probs, then dlogits, in place
    float* losses;                     // (B, T)
    float* att_mask = nullptr;         // (L, B, NH, T, T) when dropout
    float *attproj_mask = nullptr, *ffn_mask = nullptr;  // (L, B, T, C) when dropout
    float* tmp;                        // (B, T, C)
    float *dresidual, *dxn, *datty;    // (B, T, C) backward scratch, reused layer by layer
    float* dqkv;                       // (B, T, D)
    float* dgu;                        // (B, T, 2F)
    float* dh;                         // (B, T, F)

    template <class Add>
    void plan(const ModelConfig& c, int B, int T, bool with_dropout, Add&& add) {
      const uint64_t L = uint64_t(c.layers), C = uint64_t(c.dim), F = uint64_t(c.ffn_dim), V = uint64_t(c.vocab_size);
      const uint64_t D = C + 2 * uint64_t(c.kv_heads) * uint64_t(c.head_dim());
      const uint64_t NH = uint64_t(c.heads), BT = uint64_t(B) * uint64_t(T), TT = uint64_t(T) * uint64_t(T);
      add(encoded, BT * C);
      add(xn1, L * BT * C), add(rstd1, L * BT), add(qkv, L * BT * D), add(atty, L * BT * C);
      add(att, L * uint64_t(B) * NH * TT), add(residual2, L * BT * C), add(xn2, L * BT * C), add(rstd2, L * BT);
      add(gu, L * BT * 2 * F), add(h, L * BT * F), add(residual3, L * BT * C);
      add(xnf, BT * C), add(rstdf, BT), add(logits, BT * V), add(losses, BT);
      add(tmp, BT * C), add(dresidual, BT * C), add(dxn, BT * C), add(datty, BT * C), add(dqkv, BT * D);
      add(dgu, BT * 2 * F), add(dh, BT * F);
      if (with_dropout) {
        add(att_mask, L * uint64_t(B) * NH * TT);
        add(attproj_mask, L * BT * C);
        add(ffn_mask, L * BT * C);
    }
    }
    BlockActs block(const ModelConfig& c, int l);
  };

  struct DecodeBufs {
    BlockActs a;   // one block's buffers, reused by every layer
    float* x;      // (n, C)
    float* tmp;    // (n, C)
    float* xnf;    // (C) the last row's final norm (+ its rstd)
    template <class Add>
    void plan(const ModelConfig& c, int n, int past, Add&& add) {
      const uint64_t N = uint64_t(n), C = uint64_t(c.dim), F = uint64_t(c.ffn_dim);
      const uint64_t D = C + 2 * uint64_t(c.kv_heads) * uint64_t(c.head_dim());
      add(x, N * C);
      add(a.xn1, N * C), add(a.rstd1, N), add(a.qkv, N * D), add(a.atty, N * C), add(a.residual2, N * C);
      add(a.xn2, N * C), add(a.rstd2, N), add(a.gu, N * 2 * F), add(a.h, N * F), add(a.residual3, N * C);
      add(tmp, N * C), add(xnf, C + 1);
    }
  };

  const ParamViews& weights() const { return w_; }

 private:
  float forward_pass(const int32_t* tokens, const int32_t* targets, int B, int T, bool dropout, Rng* rng) override;
  void backward_pass(float loss_scale) override;
  void decode_pass(DecodeState& s, const int32_t* tokens, int n) const override;
  void on_grads_allocated() override { g_ = views(grads_.data()); }
  void on_weights_moved() override {
    w_ = views(params_.data());
    m_ = matrices();
  }

  struct KVSlot {
    float *k, *v;
    int past;
  };
  // Layer l on residual (B*T, C) into a, positions pos0 .. (pos0 = kv->past when decoding into
  // the cache, B = 1; 0 in training). tmp: (B*T, C); ls: the linear layers' scratch (quantized
  // activations).
  void block_forward(int l, const float* residual, const BlockActs& a, int B, int T, const KVSlot* kv,
                     float* tmp, LinearScratch& ls) const;
  AttentionArgs attention_args(const BlockActs& a, int B, int T) const;
  ParamViews views(float* base) const;  // a packed model's matrices are null here: see m_
  Matrices matrices() const;

  int kv_dim_, qkv_dim_;            // KV and D
  std::vector<float> cos_, sin_;    // (context_length, head_dim) rope_table
  ParamViews w_, g_;
  Matrices m_;
  Activations act_{};
};

}  // namespace sllm
