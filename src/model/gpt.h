// gpt.h: the GPT architecture (arch "gpt", GPT-2's): token + learned position embeddings,
// pre-norm blocks of multi-head causal self-attention and a GELU MLP (LayerNorm, biases
// everywhere), a final LayerNorm and an output head tied to the token embedding or not.
// Parameters, gradients and activations each live in one slab with named views (as llm.c);
// one block_forward serves training (views of the activation slab) and decoding (scratch and
// the KV cache).
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/attention.h"
#include "model/architecture.h"
#include "model/model.h"

namespace sllm {

const Architecture& gpt_architecture();

class GPT final : public Model {
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

  // What one block's forward writes, N = B*T rows: in training, layer l's views of the
  // activation slab; in decoding, scratch reused by every layer.
  struct BlockActs {
    float *ln1, *ln1_mean, *ln1_rstd;  // (N, C), (N), (N)
    float* qkv;                        // (N, 3C)
    float* atty;                       // (N, C)
    float* att;                        // (B, NH, T, T) softmax kept for backward; null when decoding
    float* residual2;                  // (N, C)
    float *ln2, *ln2_mean, *ln2_rstd;  // (N, C), (N), (N)
    float *fch, *fch_gelu;             // (N, F)
    float* residual3;                  // (N, C): the block's output
    float *att_mask, *attproj_mask, *fcproj_mask;  // dropout masks, null without dropout
  };

  // The training step's activations (L stacked per-layer arrays) and backward scratch.
  struct Activations {
    int B = 0, T = 0;
    bool dropout = false;
    float* encoded;                    // (B, T, C)
    float *ln1, *ln1_mean, *ln1_rstd;  // (L, B, T, C), (L, B, T), (L, B, T)
    float* qkv;                        // (L, B, T, 3C)
    float* atty;                       // (L, B, T, C)
    float* att;                        // (L, B, NH, T, T) softmax before dropout
    float* residual2;                  // (L, B, T, C)
    float *ln2, *ln2_mean, *ln2_rstd;  // (L, B, T, C), (L, B, T), (L, B, T)
    float* fch;                        // (L, B, T, F)
    float* fch_gelu;                   // (L, B, T, F)
    float* residual3;                  // (L, B, T, C)
    float *lnf, *lnf_mean, *lnf_rstd;  // (B, T, C), (B, T), (B, T)
    float* logits;                     // (B, T, V): logits, then probs, then dlogits, in place
    float* losses;                     // (B, T)
    float *att_mask = nullptr;         // (L, B, NH, T, T) when dropout
    float *attproj_mask = nullptr, *fcproj_mask = nullptr;  // (L, B, T, C) when dropout
    float* tmp;                        // (B, T, C) scratch of the forward and backward passes
    float *dresidual, *dln, *datty;    // (B, T, C) backward scratch, reused layer by layer
    float* dqkv;                       // (B, T, 3C)
    float *dfch, *dfch_gelu;           // (B, T, F)

    template <class Add>
    void plan(const ModelConfig& c, int B, int T, bool with_dropout, Add&& add) {
      const uint64_t L = uint64_t(c.layers), C = uint64_t(c.dim), F = uint64_t(c.ffn_dim), V = uint64_t(c.vocab_size);
      const uint64_t NH = uint64_t(c.heads), BT = uint64_t(B) * uint64_t(T), TT = uint64_t(T) * uint64_t(T);
      add(encoded, BT * C);
      add(ln1, L * BT * C), add(ln1_mean, L * BT), add(ln1_rstd, L * BT);
      add(qkv, L * BT * 3 * C), add(atty, L * BT * C), add(att, L * uint64_t(B) * NH * TT);
      add(residual2, L * BT * C), add(ln2, L * BT * C), add(ln2_mean, L * BT), add(ln2_rstd, L * BT);
      add(fch, L * BT * F), add(fch_gelu, L * BT * F), add(residual3, L * BT * C);
      add(lnf, BT * C), add(lnf_mean, BT), add(lnf_rstd, BT), add(logits, BT * V), add(losses, BT);
      add(tmp, BT * C), add(dresidual, BT * C), add(dln, BT * C), add(datty, BT * C), add(dqkv, BT * 3 * C);
      add(dfch, BT * F), add(dfch_gelu, BT * F);
      if (with_dropout) {
        add(att_mask, L * uint64_t(B) * NH * TT);
        add(attproj_mask, L * BT * C);
        add(fcproj_mask, L * BT * C);
    }
    }
    BlockActs block(const ModelConfig& c, int l);  // layer l's views
  };

  // A decode pass's scratch: n rows after `past` cached positions.
  struct DecodeBufs {
    BlockActs a;        // one block's buffers, reused by every layer
    float* x;           // (n, C) the residual stream entering the current block
    float* tmp;         // (n, C)
    float* lnf;         // (C) the last row's final norm (+ its mean and rstd)
    template <class Add>
    void plan(const ModelConfig& c, int n, int past, Add&& add) {
      const uint64_t N = uint64_t(n), C = uint64_t(c.dim), F = uint64_t(c.ffn_dim);
      add(x, N * C);
      add(a.ln1, N * C), add(a.ln1_mean, N), add(a.ln1_rstd, N), add(a.qkv, N * 3 * C), add(a.atty, N * C);
      add(a.residual2, N * C), add(a.ln2, N * C), add(a.ln2_mean, N), add(a.ln2_rstd, N);
      add(a.fch, N * F), add(a.fch_gelu, N * F), add(a.residual3, N * C), add(tmp, N * C);
      add(lnf, C + 2);
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

  // Where a block's keys and values go when decoding: the layer's cache, `past` positions in.
  struct KVSlot {
    float *k, *v;
    int past;
  };
  // Layer l on residual (B*T, C) into a (+ the KV cache when kv is set: B = 1, positions
  // kv->past ..). tmp: (B*T, C); ls: the linear layers' scratch (quantized activations).
  void block_forward(int l, const float* residual, const BlockActs& a, int B, int T, const KVSlot* kv,
                     float* tmp, LinearScratch& ls) const;
  ParamViews views(float* base) const;  // a packed model's matrices are null here: see m_
  Matrices matrices() const;

  ParamViews w_, g_;
  Matrices m_;
  Activations act_{};
};

}  // namespace sllm
