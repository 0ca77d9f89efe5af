// attention.cpp: multi-head causal self-attention (GQA), forward and backward, per (batch,
// head) as small GEMMs on strided views of q, k and v plus the causal softmax, split over the
// thread pool by heads; and the one-token decoding step (attention_step_ref, and its dispatcher
// split by heads).
#include <cmath>
#include <cstring>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernels.h"

namespace sllm {

namespace {
// Offsets of one (batch, head) pair's views: its query columns, its kv head's columns and its
// output columns (gradients share the strides of what they are gradients of).
struct HeadOffsets {
  size_t q, kv, out;
};
HeadOffsets head_offsets(const AttentionArgs& a, int b, int h) {
  const int g = h / (a.NH / a.NKV);
  return {size_t(b) * a.Tq * a.ldq + size_t(h) * a.hs, size_t(b) * a.kv_batch + size_t(g) * a.hs,
          size_t(b) * a.Tq * a.ldo + size_t(h) * a.hs};
}

// This thread's scratch of at least n floats (kept: the next call of the same size reuses it).
float* thread_scratch(size_t n) {
  static thread_local std::vector<float> s;
  if (s.size() < n) s.resize(n);
  return s.data();
}

// Decoding's step comes between matvecs while the pool's threads still spin: splitting it pays
// from a few thousand multiply-adds per chunk (a serial step idles every other thread).
constexpr int64_t kStepLeastWork = int64_t(1) << 12;
}  // namespace

void attention_forward(const AttentionArgs& a, float* att, const float* drop_mask) {
  const int Tq = a.Tq, Tk = a.Tk, hs = a.hs;
  const size_t TT = size_t(Tq) * Tk;
  const float scale = 1.0f / std::sqrt(float(hs));
  parallel_for(0, int64_t(a.B) * a.NH, work_grain(int64_t(TT) * hs), [&](int64_t lo, int64_t hi) {
    float* preatt = thread_scratch(2 * TT);  // (Tq, Tk)
    float* probs = preatt + TT;              // (Tq, Tk) when att is not kept
    for (int64_t pair = lo; pair < hi; ++pair) {
      const int b = int(pair / a.NH), h = int(pair % a.NH);
      const HeadOffsets o = head_offsets(a, b, h);
      float* p = att ? att + (size_t(b) * a.NH + h) * TT : probs;
      // preatt (Tq, Tk) = q (Tq, hs) · k^T
      gemm(GemmArgs{Tq, Tk, hs, a.q + o.q, a.ldq, false, a.k + o.kv, a.ldkv, true, preatt, Tk, false});
      causal_softmax_forward(p, preatt, 1, Tq, Tk, scale);
      const float* used = p;
      if (drop_mask) {
        // The dropped weights go to scratch; att keeps the softmax for the backward pass.
        std::memcpy(preatt, p, sizeof(float) * TT);
        mul_inplace(preatt, drop_mask + (size_t(b) * a.NH + h) * TT, TT);
        used = preatt;
      }
      // out (Tq, hs) = att (Tq, Tk) · v (Tk, hs), into the head's columns of out.
      gemm(GemmArgs{Tq, hs, Tk, used, Tk, false, a.v + o.kv, a.ldkv, false, a.out + o.out, a.ldo, false});
    }
  });
}

void attention_backward(const AttentionArgs& a, const AttentionGrads& g, const float* dout, const float* att,
                        const float* drop_mask) {
  const int Tq = a.Tq, Tk = a.Tk, hs = a.hs, group = a.NH / a.NKV;
  const size_t TT = size_t(Tq) * Tk;
  const float scale = 1.0f / std::sqrt(float(hs));
  // Split by (batch, kv head): the query heads sharing a kv head add into its dk, dv in order.
  parallel_for(0, int64_t(a.B) * a.NKV, work_grain(int64_t(TT) * hs * group), [&](int64_t lo, int64_t hi) {
    float* datt = thread_scratch(2 * TT);  // (Tq, Tk)
    float* tmp = datt + TT;                // (Tq, Tk): dropped att, then dpreatt
    for (int64_t pair = lo; pair < hi; ++pair) {
      const int b = int(pair / a.NKV), h0 = int(pair % a.NKV) * group;
      for (int h = h0; h < h0 + group; ++h) {
        const HeadOffsets o = head_offsets(a, b, h);
        const float *q = a.q + o.q, *k = a.k + o.kv, *v = a.v + o.kv, *dy = dout + o.out;
        float *dq = g.dq + o.q, *dk = g.dk + o.kv, *dv = g.dv + o.kv;
        const float* p = att + (size_t(b) * a.NH + h) * TT;
        const float* mask = drop_mask ? drop_mask + (size_t(b) * a.NH + h) * TT : nullptr;
        const float* used = p;
        if (mask) {
          std::memcpy(tmp, p, sizeof(float) * TT);
          mul_inplace(tmp, mask, TT);
          used = tmp;
        }
        // dv (Tk, hs) += used^T (Tk, Tq) · dout (Tq, hs)
        gemm(GemmArgs{Tk, hs, Tq, used, Tk, true, dy, a.ldo, false, dv, a.ldkv, true});
        // datt (Tq, Tk) = dout (Tq, hs) · v^T
        gemm(GemmArgs{Tq, Tk, hs, dy, a.ldo, false, v, a.ldkv, true, datt, Tk, false});
        if (mask) mul_inplace(datt, mask, TT);
        // tmp = dpreatt (already includes the 1/sqrt(hs) scale)
        causal_softmax_backward(tmp, p, datt, 1, Tq, Tk, scale);
        // dq (Tq, hs) += dpreatt (Tq, Tk) · k (Tk, hs);  dk (Tk, hs) += dpreatt^T · q
        gemm(GemmArgs{Tq, hs, Tk, tmp, Tk, false, k, a.ldkv, false, dq, a.ldq, true});
        gemm(GemmArgs{Tk, hs, Tq, tmp, Tk, true, q, a.ldq, false, dk, a.ldkv, true});
      }
    }
  });
}

void attention_step(float* out, const float* q, const float* k, const float* v, int ldkv, int Tk, int NH, int NKV,
                    int hs) {
  parallel_for(0, NH, work_grain(int64_t(Tk) * hs * 2, 1, kStepLeastWork), [&](int64_t h0, int64_t h1) {
    SLLM_KERNEL(attention_step)(out, q, k, v, ldkv, Tk, NH, NKV, hs, int(h0), int(h1), thread_scratch(size_t(Tk)));
  });
}

void attention_step_ref(float* out, const float* q, const float* k, const float* v, int ldkv, int Tk, int NH,
                        int NKV, int hs, int h0, int h1, float* scratch) {
  const float scale = 1.0f / std::sqrt(float(hs));
  const int group = NH / NKV;
  for (int h = h0; h < h1; ++h) {
    const float* qh = q + size_t(h) * hs;
    const size_t col = size_t(h / group) * hs;
    // Scores with four partial sums (the order of the simd128 lanes, as matvec_ref).
    for (int t = 0; t < Tk; ++t) {
      const float* kt = k + size_t(t) * ldkv + col;
      float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      int i = 0;
      for (; i + 4 <= hs; i += 4) {
        s0 += qh[i] * kt[i];
        s1 += qh[i + 1] * kt[i + 1];
        s2 += qh[i + 2] * kt[i + 2];
        s3 += qh[i + 3] * kt[i + 3];
      }
      float s = (s0 + s1) + (s2 + s3);
      for (; i < hs; ++i) s += qh[i] * kt[i];
      scratch[t] = s;
    }
    causal_softmax_forward_ref(scratch, scratch, 1, 1, Tk, scale);  // in place: each entry read before written
    float* o = out + size_t(h) * hs;
    for (int i = 0; i < hs; ++i) o[i] = 0.0f;
    for (int t = 0; t < Tk; ++t) {
      const float* vt = v + size_t(t) * ldkv + col;
      const float p = scratch[t];
      for (int i = 0; i < hs; ++i) o[i] += p * vt[i];
    }
  }
}

}  // namespace sllm
