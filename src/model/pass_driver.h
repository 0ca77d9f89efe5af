// pass_driver.h: the training passes of every architecture, over the block halves it provides
// (gpt.h, llama.h): the legacy whole-batch pass, and the piece-by-piece passes of step_plan.h
// (stored activations or recomputed blocks; the output layer and the loss in chunks of rows).
// A is the architecture's class (a friend): its Activations (layer(), piece()), shift(), the
// halves' forward and backward, embed/embed_backward, final_norm/final_norm_backward and
// output_weight/output_grad.
#pragma once
#include <algorithm>
#include <cstring>

#include "kernels/dropout_hash.h"
#include "kernels/kernels.h"
#include "model/model.h"

namespace sllm {

template <class A>
class PassDriver {
 public:
  explicit PassDriver(A& m) : m_(m), c_(m.cfg_), a_(m.act_) {}

  float forward(const int32_t* tokens, const int32_t* targets, int B, int T, bool dropout, Rng* rng) {
    m_.ensure_activations_of(a_, m_.pass_shape_for(B, T, targets != nullptr));
    m_.stored_ = false;
    m_.logits_ = nullptr;
    if (s().legacy()) return legacy_forward(tokens, targets, dropout, rng);
    if (s().stored()) {
      store_forward(tokens);
      m_.stored_ = true;
      const float* xl = input(c_.layers, 0);
      for (int r0 = 0; r0 < N(); r0 += s().R) loss_chunk(xl + size_t(r0) * C(), r0, std::min(s().R, N() - r0), nullptr, 0);
    } else {
      for (int p = 0; p < s().pieces(); ++p) {
        piece_forward(p, tokens);
        const int row0 = p * s().P, n = rows(p);
        for (int r0 = 0; r0 < n; r0 += s().R)
          loss_chunk(x(c_.layers) + size_t(r0) * C(), row0 + r0, std::min(s().R, n - r0), nullptr, 0);
      }
    }
    return mean_loss();
  }

  void backward(float loss_scale) {
    const float dloss = loss_scale / float(N());
    if (s().legacy()) return legacy_backward(dloss);
    for (int p = 0; p < s().pieces(); ++p) backward_piece(p, dloss, !m_.stored_);
  }

  // The recompute plan's training step: each piece's forward (its block inputs kept), loss and
  // backward before the next piece's.
  float forward_backward(int B, int T, float loss_scale) {
    m_.ensure_activations_of(a_, m_.pass_shape_for(B, T, true));
    m_.stored_ = false;
    m_.logits_ = nullptr;
    const float dloss = loss_scale / float(N());
    for (int p = 0; p < s().pieces(); ++p) backward_piece(p, dloss, true);
    return mean_loss();
  }

 private:
  using Acts = typename A::BlockActs;
  A& m_;
  const ModelConfig& c_;
  typename A::Activations& a_;

  const PassShape& s() const { return a_.shape; }
  int N() const { return s().B * s().T; }
  int C() const { return c_.dim; }
  int rows(int p) const { return std::min(s().P, N() - p * s().P); }
  bool dropping() const { return m_.masks_.p > 0.0f || m_.masks_.lora_p > 0.0f; }
  // The output layer (no adapter; trained unless the base is frozen).
  LinearOp output_op() const {
    LinearOp op;
    op.w = m_.output_weight(), op.dw = m_.output_grad(), op.in = C(), op.out = c_.vocab_size;
    op.qs = &m_.linear_scratch_;
    return op;
  }
  // Recompute mode: the current piece's input of layer l (layer L's is the blocks' output).
  float* x(int l) { return a_.encoded + size_t(l) * size_t(s().P) * size_t(C()); }
  // Stored modes: layer l's input (row row0 on); l = L: the last block's output.
  float* input(int l, int row0) {
    return (l == 0 ? a_.encoded : a_.layer(c_, l - 1).residual3) + size_t(row0) * size_t(C());
  }

  // The views of layer l from row row0 (stored) or the piece's buffers (recompute), with the
  // pass's dropout; with fill, a whole-matrix attention mask is filled from its counter-based
  // stream for the S sequences from row row0.
  Acts block(int l, int row0, int S, bool stored, bool fill) {
    Acts b = stored ? m_.shift(a_.layer(c_, l), row0, true, true) : a_.piece(c_);
    b.drop = dropping();
    if (b.att_mask && !(m_.masks_.p > 0.0f)) b.att_mask = nullptr;
    if (b.att_mask && fill) {
      const int T = s().T;
      const uint64_t per_seq = uint64_t(c_.heads) * uint64_t(T) * uint64_t(T);
      std::fill(b.att_mask, b.att_mask + size_t(S) * per_seq, 1.0f);
      hash_dropout(b.att_mask, size_t(S) * per_seq, uint64_t(row0 / T) * per_seq, m_.masks_.key(l, 0), m_.masks_.p);
    }
    return b;
  }

  // Layer-major forward keeping every layer's activations, piece by piece within a layer.
  void store_forward(const int32_t* tokens) {
    const int T = s().T;
    m_.embed(a_.encoded, tokens, s().B, T);
    for (int l = 0; l < c_.layers; ++l)
      for (int p = 0; p < s().pieces(); ++p) {
        const int row0 = p * s().P, n = rows(p);
        const Acts b = block(l, row0, n / T, true, true);
        m_.attn_forward(l, input(l, row0), b, n / T, T, row0, nullptr, a_.tmp, m_.lora_scratch());
        m_.mlp_forward(l, b, n, row0, a_.tmp, true, m_.lora_scratch());
      }
  }

  // Piece p's forward from its tokens, keeping its block inputs x(0) .. x(L).
  void piece_forward(int p, const int32_t* tokens) {
    const int T = s().T, row0 = p * s().P, n = rows(p), S = n / T;
    m_.embed(x(0), tokens + row0, S, T);
    for (int l = 0; l < c_.layers; ++l) {
      Acts b = block(l, row0, S, false, true);
      m_.attn_forward(l, x(l), b, S, T, row0, nullptr, a_.tmp, m_.lora_scratch());
      for (int m0 = 0; m0 < n; m0 += s().M) {
        Acts mb = b;
        mb.residual2 = b.residual2 + size_t(m0) * C();
        mb.residual3 = x(l + 1) + size_t(m0) * C();
        m_.mlp_forward(l, mb, std::min(s().M, n - m0), row0 + m0, a_.tmp, true, m_.lora_scratch());
      }
    }
  }

  // The output layer and the loss on n rows from batch row `row` (xl: the last block's output
  // there): their losses; with dres, also the loss's gradient, dloss-scaled, added into dres.
  void loss_chunk(const float* xl, int row, int n, float* dres, float dloss) {
    const int V = c_.vocab_size;
    const int32_t* targets = m_.targets_.data() + row;
    m_.final_norm(a_.xf, a_.xf_s1, a_.xf_s2, xl, n);
    linear_op_forward(output_op(), a_.logits, a_.xf, n, row, LoraScratch{});
    crossentropy_forward(a_.logits, a_.losses + row, targets, n, V);
    if (!dres) return;
    crossentropy_backward(a_.logits, targets, n, V, dloss);
    float* dxn = a_.dln;
    zero_fill(dxn, size_t(n) * C());
    linear_op_backward(output_op(), dxn, a_.logits, a_.xf, n, row, LoraScratch{});
    m_.final_norm_backward(dres, dxn, xl, a_.xf_s1, a_.xf_s2, n);
  }

  // Piece p's backward (recomputing its forward first when nothing was stored).
  void backward_piece(int p, float dloss, bool recompute) {
    const int T = s().T, row0 = p * s().P, n = rows(p), S = n / T, M = s().M;
    const int32_t* tokens = m_.tokens_.data() + row0;
    if (recompute) piece_forward(p, m_.tokens_.data());
    float* dres = a_.dresidual;
    zero_fill(dres, size_t(n) * C());
    const float* xl = recompute ? x(c_.layers) : input(c_.layers, row0);
    for (int r0 = 0; r0 < n; r0 += s().R)
      loss_chunk(xl + size_t(r0) * C(), row0 + r0, std::min(s().R, n - r0), dres + size_t(r0) * C(), dloss);
    for (int l = c_.layers - 1; l >= 0; --l) {
      const float* in = recompute ? x(l) : input(l, row0);
      Acts b = block(l, row0, S, !recompute, recompute);
      if (recompute) m_.attn_forward(l, in, b, S, T, row0, nullptr, a_.tmp, m_.lora_scratch());
      for (int m0 = 0; m0 < n; m0 += M) {
        const int mn = std::min(M, n - m0);
        Acts mb = recompute ? b : m_.shift(b, m0, false, true);
        if (recompute) {
          mb.residual2 = b.residual2 + size_t(m0) * C();
          m_.mlp_forward(l, mb, mn, row0 + m0, a_.tmp, false, m_.lora_scratch());
        }
        m_.mlp_backward(l, mb, mn, row0 + m0, dres + size_t(m0) * C());
      }
      m_.attn_backward(l, in, b, S, T, row0, dres);
    }
    m_.embed_backward(dres, tokens, S, T);
  }

  float mean_loss() const {
    double total = 0.0;
    for (int i = 0; i < N(); ++i) total += a_.losses[i];
    return float(total / double(N()));
  }

  // The whole batch at once, every activation kept (the logits too), masks drawn from rng.
  float legacy_forward(const int32_t* tokens, const int32_t* targets, bool dropout, Rng* rng) {
    const int B = s().B, T = s().T, V = c_.vocab_size, L = c_.layers;
    const size_t NC = size_t(N()) * C();
    m_.embed(a_.encoded, tokens, B, T);
    for (int l = 0; l < L; ++l) {
      Acts b = a_.layer(c_, l);
      b.drop = dropping();  // the adapter's dropout (the model's masks are materialized)
      a_.masked = dropout;
      if (dropout) {
        dropout_mask(b.att_mask, size_t(N()) * size_t(c_.heads) * T, c_.dropout, *rng);
        dropout_mask(b.attproj_mask, NC, c_.dropout, *rng);
        dropout_mask(A::mlp_mask(b), NC, c_.dropout, *rng);
      } else {
        b.att_mask = b.attproj_mask = A::mlp_mask(b) = nullptr;
      }
      m_.attn_forward(l, input(l, 0), b, B, T, 0, nullptr, a_.tmp, m_.lora_scratch());
      m_.mlp_forward(l, b, N(), 0, a_.tmp, true, m_.lora_scratch());
    }
    m_.final_norm(a_.xf, a_.xf_s1, a_.xf_s2, input(L, 0), N());
    linear_op_forward(output_op(), a_.logits, a_.xf, N(), 0, LoraScratch{});
    m_.logits_ = a_.logits;
    m_.stored_ = true;
    if (!targets) return 0.0f;
    return float(crossentropy_forward(a_.logits, a_.losses, targets, N(), V) / double(N()));
  }

  void legacy_backward(float dloss) {
    const int B = s().B, T = s().T, V = c_.vocab_size, L = c_.layers;
    crossentropy_backward(a_.logits, m_.targets_.data(), N(), V, dloss);
    zero_fill(a_.dln, size_t(N()) * C());
    linear_op_backward(output_op(), a_.dln, a_.logits, a_.xf, N(), 0, LoraScratch{});
    float* dres = a_.dresidual;
    zero_fill(dres, size_t(N()) * C());
    m_.final_norm_backward(dres, a_.dln, input(L, 0), a_.xf_s1, a_.xf_s2, N());
    for (int l = L - 1; l >= 0; --l) {
      Acts b = a_.layer(c_, l);
      b.drop = dropping();
      if (!a_.masked) b.att_mask = b.attproj_mask = A::mlp_mask(b) = nullptr;
      m_.mlp_backward(l, b, N(), 0, dres);
      m_.attn_backward(l, input(l, 0), b, B, T, 0, dres);
    }
    m_.embed_backward(dres, m_.tokens_.data(), B, T);
  }
};

}  // namespace sllm

namespace sllm {

// An architecture's Model whose training passes are PassDriver<A>'s (A derives from it).
template <class A>
class DrivenModel : public Model {
 protected:
  using Model::Model;
  float forward_pass(const int32_t* tokens, const int32_t* targets, int B, int T, bool dropout, Rng* rng) override {
    return PassDriver<A>(static_cast<A&>(*this)).forward(tokens, targets, B, T, dropout, rng);
  }
  void backward_pass(float loss_scale) override { PassDriver<A>(static_cast<A&>(*this)).backward(loss_scale); }
  float forward_backward_pass(const int32_t*, const int32_t*, int B, int T, float loss_scale) override {
    return PassDriver<A>(static_cast<A&>(*this)).forward_backward(B, T, loss_scale);
  }
};

}  // namespace sllm
