// quant_linear.cpp: the linear layer and the embedding lookup on WeightViews of any dtype
// (quant_kernels.h): checks a view, quantizes the activations once (linear_prepare), then runs
// the dtype's kernel over a range of output columns (linear_rows), split over the thread pool by
// rows (every row computed by one kernel call, in its own fixed order: the same bits on any
// number of threads).
#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
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

namespace {
// Rows per chunk of the thread pool: enough work, in whole groups of 4 rows (the kernels' tiles;
// a row's result does not depend on where its chunk starts, so any split gives the same bits).
int64_t row_grain(int64_t macs_per_row) { return work_grain(macs_per_row, 4); }
}  // namespace

void linear_prepare(const float* inp, const WeightView& w, int N, LinearScratch& s) {
  if (w.dtype != DType::Q8_0 && w.dtype != DType::Q4_0) return;
  const size_t nblocks = size_t(N) * size_t(w.cols / kQuantBlock);
  s.xd.resize(nblocks);
  s.xq.resize(nblocks * kQuantBlock);
  // Blocks are independent: split them over the pool (a prefill's many rows; one row stays put).
  parallel_for(0, int64_t(nblocks), 256, [&](int64_t lo, int64_t hi) {
    quantize_act(s.xd.data() + lo, s.xq.data() + lo * kQuantBlock, inp + lo * kQuantBlock, size_t(hi - lo));
  });
}

void linear_rows(float* out, int ldy, const float* inp, const WeightView& w, const float* bias, int N,
                 const LinearScratch& s, int r0, int r1) {
  if (r0 >= r1) return;
  const int K = w.cols;
  switch (w.dtype) {
    case DType::F32: {
      const float* wr = w.f32() + size_t(r0) * size_t(K);
      const float* br = bias ? bias + r0 : nullptr;
      if (N == 1) {
        matvec(out + r0, wr, inp, br, K, r1 - r0);
      } else {
        // out[:, r0:r1] (N, r1-r0) = inp (N, K) · W[r0:r1]^T, as matmul_forward does for all rows.
        gemm(GemmArgs{N, r1 - r0, K, inp, K, false, wr, K, true, out + r0, ldy, false});
        if (br)
          for (int i = 0; i < N; ++i) add_inplace(out + size_t(i) * size_t(ldy) + size_t(r0), br, size_t(r1 - r0));
      }
      return;
    }
    case DType::F16: {
      const F16MatmulArgs a{out, w.data, inp, bias, N, K, ldy};
      parallel_for(r0, r1, row_grain(int64_t(N) * K), [&](int64_t lo, int64_t hi) { matmul_f16(a, int(lo), int(hi)); });
      return;
    }
    case DType::Q8_0:
    case DType::Q4_0: {
      const QMatmulArgs a{out, w.data, s.xd.data(), s.xq.data(), bias, N, K, ldy};
      const bool q8 = w.dtype == DType::Q8_0;
      parallel_for(r0, r1, row_grain(int64_t(N) * K), [&](int64_t lo, int64_t hi) {
        if (q8) matmul_q8_0(a, int(lo), int(hi));
        else matmul_q4_0(a, int(lo), int(hi));
      });
      return;
    }
  }
}

void linear_forward(float* out, const float* inp, const LinearWeight& w, const float* bias, int N,
                    LinearScratch& s) {
  const int OC = w.rows(), K = w.cols();
  if (w.parts == 1 && w.part[0].dtype == DType::F32) {
    linear_forward(out, inp, w.part[0].f32(), bias, N, K, OC);
    return;
  }
  // The blocks share the input: it is quantized once (every block of a layer has the same
  // dtype in the files sllm writes; a block of another dtype does not use it).
  const WeightView* quantized = nullptr;
  for (int p = 0; p < w.parts; ++p)
    if (w.part[p].dtype == DType::Q8_0 || w.part[p].dtype == DType::Q4_0) quantized = &w.part[p];
  if (quantized) linear_prepare(inp, *quantized, N, s);
  for (int p = 0, c0 = 0; p < w.parts; c0 += w.part[p].rows, ++p)
    linear_rows(out + c0, OC, inp, w.part[p], bias ? bias + c0 : nullptr, N, s, 0, w.part[p].rows);
}

void embedding_forward(float* out, const int32_t* tokens, const WeightView& wte, const WeightView* wpe, int B, int T,
                       int pos0) {
  const int C = wte.cols;
  std::vector<float> pos_row(wpe && wpe->dtype != DType::F32 ? size_t(C) : 0);
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      float* row = out + (size_t(b) * size_t(T) + size_t(t)) * size_t(C);
      const int32_t id = tokens[size_t(b) * size_t(T) + size_t(t)];
      if (!wpe) {
        embedding_row(row, wte, id);
      } else if (wte.dtype == DType::F32 && wpe->dtype == DType::F32) {  // encoder_forward's sum
        residual_forward(row, wte.f32() + size_t(id) * size_t(C), wpe->f32() + size_t(pos0 + t) * size_t(C), size_t(C));
      } else {
        embedding_row(row, wte, id);
        const float* p = wpe->f32() + size_t(pos0 + t) * size_t(C);
        if (wpe->dtype != DType::F32) {
          embedding_row(pos_row.data(), *wpe, pos0 + t);
          p = pos_row.data();
        }
        add_inplace(row, p, size_t(C));  // row + p: the same sum as the f32 tables' a + b
      }
    }
}

}  // namespace sllm
