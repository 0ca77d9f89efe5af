// matmul.cpp: the linear layer (forward, grad of input, grad of weight and bias) on top of
// gemm, and the single-row matvec used by generation.
#include "kernels/kernels.h"

namespace sllm {

void matmul_forward(float* out, const float* inp, const float* weight, const float* bias, int N, int C, int OC) {
  // out (N, OC) = inp (N, C) · weight^T, with weight stored (OC, C).
  gemm(GemmArgs{N, OC, C, inp, C, false, weight, C, true, out, OC, false});
  if (bias)
    for (int i = 0; i < N; ++i) add_inplace(out + size_t(i) * OC, bias, size_t(OC));
}

void linear_forward(float* out, const float* inp, const float* weight, const float* bias, int N, int C, int OC) {
  if (N == 1) matvec(out, weight, inp, bias, C, OC);
  else matmul_forward(out, inp, weight, bias, N, C, OC);
}

void matmul_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int N, int C, int OC) {
  // dinp (N, C) += dout (N, OC) · weight (OC, C)
  if (dinp) gemm(GemmArgs{N, C, OC, dout, OC, false, weight, C, false, dinp, C, true});
  // dweight (OC, C) += dout^T (OC, N) · inp (N, C)
  gemm(GemmArgs{OC, C, N, dout, OC, true, inp, C, false, dweight, C, true});
  if (dbias) bias_backward(dbias, dout, N, OC);
}

void bias_backward_ref(float* dbias, const float* dout, int N, int OC) {
  for (int i = 0; i < N; ++i) {
    const float* row = dout + size_t(i) * OC;
    for (int o = 0; o < OC; ++o) dbias[o] += row[o];
  }
}

void matvec_ref(float* y, const float* weight, const float* x, const float* bias, int C, int OC) {
  for (int o = 0; o < OC; ++o) {
    const float* w = weight + size_t(o) * C;
    // Four partial sums break the dependency chain (and match the simd128 summation order).
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      s0 += w[c] * x[c];
      s1 += w[c + 1] * x[c + 1];
      s2 += w[c + 2] * x[c + 2];
      s3 += w[c + 3] * x[c + 3];
    }
    float s = (s0 + s1) + (s2 + s3);
    for (; c < C; ++c) s += w[c] * x[c];
    y[o] = s + (bias ? bias[o] : 0.0f);
  }
}

}  // namespace sllm
