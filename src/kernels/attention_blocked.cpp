// attention_blocked.cpp: attention over blocks of query rows with the probabilities recomputed
// in the backward pass (see attention_blocked.h).
#include "kernels/attention_blocked.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/dropout_hash.h"
#include "kernels/kernels.h"

namespace sllm {

namespace {

float* thread_scratch(size_t n) {
  static thread_local std::vector<float> s;
  if (s.size() < n) s.resize(n);
  return s.data();
}

// One query block of one (batch, head): rows q0 .. q0 + rows - 1 see keys 0 .. tk - 1 (causal:
// row q0 + t sees (Tk - Tq) + q0 + t and the ones before it).
struct Block {
  int q0, rows, tk;
};
Block block(const AttentionArgs& a, int q0, int qb) {
  const int rows = std::min(qb, a.Tq - q0);
  return {q0, rows, a.Tk - a.Tq + q0 + rows};
}

// The views of (b, h): query rows, its kv head's rows, output rows (gradients share strides).
struct Views {
  size_t q, kv, out;
};
Views views(const AttentionArgs& a, int b, int h) {
  const int g = h / (a.NH / a.NKV);
  return {size_t(b) * a.Tq * a.ldq + size_t(h) * a.hs, size_t(b) * a.kv_batch + size_t(g) * a.hs,
          size_t(b) * a.Tq * a.ldo + size_t(h) * a.hs};
}

// p (rows, tk) = causal softmax of the block's scores q_blk k^T.
void block_probs(const AttentionArgs& a, const Views& v, const Block& k, float* pre, float* p, float scale) {
  gemm(GemmArgs{k.rows, k.tk, a.hs, a.q + v.q + size_t(k.q0) * a.ldq, a.ldq, false, a.k + v.kv, a.ldkv, true, pre,
                k.tk, false});
  causal_softmax_forward(p, pre, 1, k.rows, k.tk, scale);
}

// m (rows, tk) *= the dropout mask of the block's weights.
void block_dropout(float* m, const AttentionArgs& a, const AttentionDropout& d, int b, int h, const Block& k) {
  for (int t = 0; t < k.rows; ++t) {
    const uint64_t first = d.first + ((uint64_t(b) * uint64_t(a.NH) + uint64_t(h)) * uint64_t(a.Tq) + uint64_t(k.q0 + t)) *
                           uint64_t(a.Tk);
    // (Inside the heads' parallel region, hash_dropout runs inline on this thread.)
    hash_dropout(m + size_t(t) * k.tk, size_t(k.tk), first, d.key, d.p);
  }
}

}  // namespace

void attention_forward_blocked(const AttentionArgs& a, int qb, const AttentionDropout& drop) {
  const float scale = 1.0f / std::sqrt(float(a.hs));
  qb = std::max(1, std::min(qb, a.Tq));
  parallel_for(0, int64_t(a.B) * a.NH, work_grain(int64_t(a.Tq) * a.Tk * a.hs), [&](int64_t lo, int64_t hi) {
    float* pre = thread_scratch(2 * size_t(qb) * size_t(a.Tk));
    float* p = pre + size_t(qb) * size_t(a.Tk);
    for (int64_t pair = lo; pair < hi; ++pair) {
      const int b = int(pair / a.NH), h = int(pair % a.NH);
      const Views v = views(a, b, h);
      for (int q0 = 0; q0 < a.Tq; q0 += qb) {
        const Block k = block(a, q0, qb);
        block_probs(a, v, k, pre, p, scale);
        if (drop.p > 0.0f) block_dropout(p, a, drop, b, h, k);
        // out rows (rows, hs) = p (rows, tk) · v (tk, hs)
        gemm(GemmArgs{k.rows, a.hs, k.tk, p, k.tk, false, a.v + v.kv, a.ldkv, false,
                      a.out + v.out + size_t(q0) * a.ldo, a.ldo, false});
      }
    }
  });
}

void attention_backward_blocked(const AttentionArgs& a, const AttentionGrads& g, const float* dout, int qb,
                                const AttentionDropout& drop) {
  const float scale = 1.0f / std::sqrt(float(a.hs));
  const int group = a.NH / a.NKV;
  qb = std::max(1, std::min(qb, a.Tq));
  // Split by (batch, kv head): the query heads sharing a kv head add into its dk, dv in order.
  parallel_for(0, int64_t(a.B) * a.NKV, work_grain(int64_t(a.Tq) * a.Tk * a.hs * group), [&](int64_t lo, int64_t hi) {
    const size_t tile = size_t(qb) * size_t(a.Tk);
    float* p = thread_scratch(3 * tile);  // probabilities
    float* datt = p + tile;                // d(weights), then d(scores)
    float* tmp = datt + tile;              // scores, then the dropped weights
    for (int64_t pair = lo; pair < hi; ++pair) {
      const int b = int(pair / a.NKV), h0 = int(pair % a.NKV) * group;
      for (int h = h0; h < h0 + group; ++h) {
        const Views v = views(a, b, h);
        for (int q0 = 0; q0 < a.Tq; q0 += qb) {
          const Block k = block(a, q0, qb);
          const size_t n = size_t(k.rows) * size_t(k.tk);
          const float* q = a.q + v.q + size_t(q0) * a.ldq;
          const float* dy = dout + v.out + size_t(q0) * a.ldo;
          block_probs(a, v, k, tmp, p, scale);
          const float* used = p;
          if (drop.p > 0.0f) {
            std::memcpy(tmp, p, sizeof(float) * n);
            block_dropout(tmp, a, drop, b, h, k);
            used = tmp;
          }
          // dv (tk, hs) += used^T (tk, rows) · dout (rows, hs)
          gemm(GemmArgs{k.tk, a.hs, k.rows, used, k.tk, true, dy, a.ldo, false, g.dv + v.kv, a.ldkv, true});
          // datt (rows, tk) = dout (rows, hs) · v^T
          gemm(GemmArgs{k.rows, k.tk, a.hs, dy, a.ldo, false, a.v + v.kv, a.ldkv, true, datt, k.tk, false});
          if (drop.p > 0.0f) block_dropout(datt, a, drop, b, h, k);
          causal_softmax_backward(tmp, p, datt, 1, k.rows, k.tk, scale);
          // dq rows += dscores (rows, tk) · k (tk, hs);  dk (tk, hs) += dscores^T · q rows
          gemm(GemmArgs{k.rows, a.hs, k.tk, tmp, k.tk, false, a.k + v.kv, a.ldkv, false,
                        g.dq + v.q + size_t(q0) * a.ldq, a.ldq, true});
          gemm(GemmArgs{k.tk, a.hs, k.rows, tmp, k.tk, true, q, a.ldq, false, g.dk + v.kv, a.ldkv, true});
        }
      }
    }
  });
}

}  // namespace sllm
