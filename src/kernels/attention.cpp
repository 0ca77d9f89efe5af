// attention.cpp: multi-head causal self-attention, forward and backward, per (batch, head)
// as small GEMMs on strided views of the packed qkv rows plus the causal softmax.
#include <cmath>
#include <cstring>

#include "kernels/kernels.h"

namespace sllm {

void attention_forward(float* out, float* att, float* scratch, const float* qkv, const float* drop_mask,
                       int B, int T, int C, int NH) {
  const int hs = C / NH, C3 = 3 * C;
  const float scale = 1.0f / std::sqrt(float(hs));
  float* preatt = scratch;  // (T, T)
  for (int b = 0; b < B; ++b)
    for (int h = 0; h < NH; ++h) {
      const float* q = qkv + size_t(b) * T * C3 + h * hs;
      const float* k = q + C;
      const float* v = q + 2 * C;
      float* a = att + (size_t(b) * NH + h) * T * T;
      // preatt (T, T) = q (T, hs) · k^T
      gemm(GemmArgs{T, T, hs, q, C3, false, k, C3, true, preatt, T, false});
      causal_softmax_forward(a, preatt, 1, T, scale);
      const float* used = a;
      if (drop_mask) {
        // The dropped weights go to scratch; att keeps the softmax for the backward pass.
        std::memcpy(preatt, a, sizeof(float) * T * T);
        mul_inplace(preatt, drop_mask + (size_t(b) * NH + h) * T * T, size_t(T) * T);
        used = preatt;
      }
      // out (T, hs) = att (T, T) · v (T, hs), into the head's columns of out (B, T, C).
      gemm(GemmArgs{T, hs, T, used, T, false, v, C3, false, out + size_t(b) * T * C + h * hs, C, false});
    }
}

void attention_backward(float* dqkv, float* scratch, const float* dout, const float* qkv, const float* att,
                        const float* drop_mask, int B, int T, int C, int NH) {
  const int hs = C / NH, C3 = 3 * C;
  const float scale = 1.0f / std::sqrt(float(hs));
  float* datt = scratch;             // (T, T)
  float* tmp = scratch + size_t(T) * T;  // (T, T): dropped att, then dpreatt
  for (int b = 0; b < B; ++b)
    for (int h = 0; h < NH; ++h) {
      const float* q = qkv + size_t(b) * T * C3 + h * hs;
      const float* k = q + C;
      const float* v = q + 2 * C;
      float* dq = dqkv + size_t(b) * T * C3 + h * hs;
      float* dk = dq + C;
      float* dv = dq + 2 * C;
      const float* a = att + (size_t(b) * NH + h) * T * T;
      const float* mask = drop_mask ? drop_mask + (size_t(b) * NH + h) * T * T : nullptr;
      const float* d = dout + size_t(b) * T * C + h * hs;
      const float* used = a;
      if (mask) {
        std::memcpy(tmp, a, sizeof(float) * T * T);
        mul_inplace(tmp, mask, size_t(T) * T);
        used = tmp;
      }
      // dv (T, hs) += used^T (T, T) · dout (T, hs)
      gemm(GemmArgs{T, hs, T, used, T, true, d, C, false, dv, C3, true});
      // datt (T, T) = dout (T, hs) · v^T
      gemm(GemmArgs{T, T, hs, d, C, false, v, C3, true, datt, T, false});
      if (mask) mul_inplace(datt, mask, size_t(T) * T);
      // tmp = dpreatt (already includes the 1/sqrt(hs) scale)
      causal_softmax_backward(tmp, a, datt, 1, T, scale);
      // dq (T, hs) += dpreatt (T, T) · k (T, hs);  dk (T, hs) += dpreatt^T · q
      gemm(GemmArgs{T, hs, T, tmp, T, false, k, C3, false, dq, C3, true});
      gemm(GemmArgs{T, hs, T, tmp, T, true, q, C3, false, dk, C3, true});
    }
}

}  // namespace sllm
