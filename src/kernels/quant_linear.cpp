// quant_linear.cpp: the linear layer on a WeightView of any dtype (quant_kernels.h): checks the
// view, quantizes the activations once (linear_prepare), then runs the dtype's kernel over a
// range of output columns (linear_rows), which a thread pool can split.
#include <string>

#include "core/error.h"
#include "kernels/quant_kernels.h"

namespace sllm {

WeightView make_weight_view(DType dtype, const void* data, int rows, int cols, const char* name) {
  if (rows <= 0 || cols <= 0)
    fail(ErrorCode::InvalidArgument, std::string("weight '") + name + "' has shape (" + std::to_string(rows) +
                                         ", " + std::to_string(cols) + "): both dimensions must be positive");
  if ((dtype == DType::Q8_0 || dtype == DType::Q4_0) && cols % kQuantBlock != 0)
    fail(ErrorCode::InvalidArgument,
         std::string("weight '") + name + "' is " + dtype_name(dtype) + " with rows of " + std::to_string(cols) +
             " values, which is not a multiple of 32 (the block size): store it as f16 or f32 instead");
  WeightView v;
  v.dtype = dtype;
  v.data = static_cast<const uint8_t*>(data);
  v.rows = rows;
  v.cols = cols;
  return v;
}

void linear_prepare(const float* inp, const WeightView& w, int N, LinearScratch& s) {
  if (w.dtype != DType::Q8_0 && w.dtype != DType::Q4_0) return;
  const size_t nblocks = size_t(N) * size_t(w.cols / kQuantBlock);
  s.xd.resize(nblocks);
  s.xq.resize(nblocks * kQuantBlock);
  quantize_q8_act(s.xd.data(), s.xq.data(), inp, nblocks);
}

void linear_rows(float* out, const float* inp, const WeightView& w, const float* bias, int N,
                 const LinearScratch& s, int r0, int r1) {
  if (r0 >= r1) return;
  const int K = w.cols, OC = w.rows;
  switch (w.dtype) {
    case DType::F32: {
      const float* wr = w.f32() + size_t(r0) * size_t(K);
      const float* br = bias ? bias + r0 : nullptr;
      if (N == 1) {
        matvec(out + r0, wr, inp, br, K, r1 - r0);
      } else {
        // out[:, r0:r1] (N, r1-r0) = inp (N, K) · W[r0:r1]^T, as matmul_forward does for all rows.
        gemm(GemmArgs{N, r1 - r0, K, inp, K, false, wr, K, true, out + r0, OC, false});
        if (br)
          for (int i = 0; i < N; ++i) add_inplace(out + size_t(i) * size_t(OC) + size_t(r0), br, size_t(r1 - r0));
      }
      return;
    }
    case DType::F16:
      matmul_f16(F16MatmulArgs{out, w.data, inp, bias, N, K, OC}, r0, r1);
      return;
    case DType::Q8_0:
      matmul_q8_0(QMatmulArgs{out, w.data, s.xd.data(), s.xq.data(), bias, N, K, OC}, r0, r1);
      return;
    case DType::Q4_0:
      matmul_q4_0(QMatmulArgs{out, w.data, s.xd.data(), s.xq.data(), bias, N, K, OC}, r0, r1);
      return;
  }
}

void linear_forward(float* out, const float* inp, const WeightView& w, const float* bias, int N,
                    LinearScratch& s) {
  linear_prepare(inp, w, N, s);
  linear_rows(out, inp, w, bias, N, s, 0, w.rows);
}

}  // namespace sllm
