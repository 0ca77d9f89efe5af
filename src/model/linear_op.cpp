// linear_op.cpp: the linear layer with LoRA adapters (see linear_op.h), on gemm (an f32 base, or
// a packed base's dequantized tiles) or, decoding, the quantized kernels.
#include "model/linear_op.h"

#include <cstring>

#include "kernels/dropout_hash.h"
#include "kernels/kernels.h"
#include "kernels/tiled_linear.h"

namespace sllm {

namespace {
// The adapter's input: inp itself, or a copy with its dropout mask applied (in xd).
const float* adapter_input(const LinearOp& op, const LinearOp::Adapter& a, const float* inp, int n, int64_t row0,
                           float* xd) {
  if (!(op.lora_dropout > 0.0f)) return inp;
  const size_t count = size_t(n) * size_t(op.in);
  std::memcpy(xd, inp, sizeof(float) * count);
  hash_dropout(xd, count, uint64_t(row0) * uint64_t(op.in), a.key, op.lora_dropout);
  return xd;
}
}  // namespace

void linear_op_adapters(const LinearOp& op, const float* inp, int n, int64_t row0, const LoraScratch& s) {
  for (int k = 0; k < op.nlora; ++k) {
    const LinearOp::Adapter& a = op.lora[k];
    const Lora::View& v = *a.v;
    const float* x = adapter_input(op, a, inp, n, row0, s.xd);
    // u (n, r) = x (n, in) · A^T, scaled
    gemm(GemmArgs{n, v.rank, op.in, x, op.in, false, v.a, op.in, true, a.u, v.rank, false});
    scale_inplace(a.u, v.scale, size_t(n) * size_t(v.rank));
  }
}

void linear_op_forward(const LinearOp& op, float* out, const float* inp, int n, int64_t row0, const LoraScratch& s) {
  if (!is_f32_matrix(op.w) && op.decode) linear_forward(out, inp, op.w, op.b, n, *op.qs);  // integer kernels
  else if (!is_f32_matrix(op.w)) tiled_linear_forward(out, inp, op.w, op.b, n);
  else if (op.decode) linear_forward(out, inp, op.w.part[0].f32(), op.b, n, op.in, op.out);
  else matmul_forward(out, inp, op.w.part[0].f32(), op.b, n, op.in, op.out);
  linear_op_adapters(op, inp, n, row0, s);
  for (int k = 0; k < op.nlora; ++k) {  // out[:, c0:c0+out] += u · B^T
    const LinearOp::Adapter& a = op.lora[k];
    gemm(GemmArgs{n, a.v->out, a.v->rank, a.u, a.v->rank, false, a.v->b, a.v->rank, true, out + a.c0, op.out, true});
  }
}

void linear_op_backward(const LinearOp& op, float* dinp, const float* dout, const float* inp, int n, int64_t row0,
                        const LoraScratch& s) {
  if (op.dw) {
    matmul_backward(dinp, op.dw, op.db, dout, inp, op.w.part[0].f32(), n, op.in, op.out);
  } else if (dinp) {
    // The frozen base: only the input's gradient, dinp (n, in) += dout (n, out) · W (out, in).
    linear_input_grad(dinp, dout, op.w, n);
  }
  for (int k = 0; k < op.nlora; ++k) {
    const LinearOp::Adapter& a = op.lora[k];
    const Lora::View& v = *a.v;
    const float* dy = dout + a.c0;  // (n, v.out), row stride op.out
    // dB (out, r) += dy^T · u;  du (n, r) = scale dy · B;  dA (r, in) += du^T · x
    gemm(GemmArgs{v.out, v.rank, n, dy, op.out, true, a.u, v.rank, false, v.db, v.rank, true});
    gemm(GemmArgs{n, v.rank, v.out, dy, op.out, false, v.b, v.rank, false, s.du, v.rank, false});
    scale_inplace(s.du, v.scale, size_t(n) * size_t(v.rank));
    const bool dropout = op.lora_dropout > 0.0f;
    const float* x = adapter_input(op, a, inp, n, row0, s.xd);
    gemm(GemmArgs{v.rank, op.in, n, s.du, v.rank, true, x, op.in, false, v.da, op.in, true});
    if (!dinp) continue;
    // dinp += mask * (du · A)
    if (!dropout) {
      gemm(GemmArgs{n, op.in, v.rank, s.du, v.rank, false, v.a, op.in, false, dinp, op.in, true});
    } else {
      const size_t count = size_t(n) * size_t(op.in);
      gemm(GemmArgs{n, op.in, v.rank, s.du, v.rank, false, v.a, op.in, false, s.tmp, op.in, false});
      hash_dropout(s.tmp, count, uint64_t(row0) * uint64_t(op.in), a.key, op.lora_dropout);
      add_inplace(dinp, s.tmp, count);
    }
  }
}

}  // namespace sllm
