// tiled_linear.cpp: products with a weight in its file dtype, a tile of dequantized rows at a
// time (see tiled_linear.h).
#include "kernels/tiled_linear.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/kernels.h"

namespace sllm {

namespace {
// Calls f(first row in w, rows, their f32 values (rows, K)) for each tile of w's rows.
template <class F>
void each_tile(const LinearWeight& w, F&& f) {
  const int K = w.cols();
  thread_local std::vector<float> tile;
  int row0 = 0;  // the part's first row in w
  for (int p = 0; p < w.parts; ++p) {
    const WeightView& v = w.part[p];
    for (int r = 0; r < v.rows; r += kLinearTile) {
      const int rows = std::min(kLinearTile, v.rows - r);
      if (v.dtype == DType::F32) {
        f(row0 + r, rows, v.f32() + size_t(r) * size_t(K));
        continue;
      }
      tile.resize(size_t(kLinearTile) * size_t(K));
      for (int i = 0; i < rows; ++i) embedding_row(tile.data() + size_t(i) * size_t(K), v, r + i);
      f(row0 + r, rows, tile.data());
    }
    row0 += v.rows;
  }
}
}  // namespace

void tiled_linear_forward(float* out, const float* inp, const LinearWeight& w, const float* bias, int N) {
  const int K = w.cols(), OC = w.rows();
  each_tile(w, [&](int o0, int rows, const float* t) {
    gemm(GemmArgs{N, rows, K, inp, K, false, t, K, true, out + o0, OC, false});
  });
  if (bias)
    for (int i = 0; i < N; ++i) add_inplace(out + size_t(i) * size_t(OC), bias, size_t(OC));
}

void linear_input_grad(float* dinp, const float* dout, const LinearWeight& w, int N) {
  const int K = w.cols(), OC = w.rows();
  if (is_f32_matrix(w)) {
    gemm(GemmArgs{N, K, OC, dout, OC, false, w.part[0].f32(), K, false, dinp, K, true});
    return;
  }
  each_tile(w, [&](int o0, int rows, const float* t) {
    gemm(GemmArgs{N, K, rows, dout + o0, OC, false, t, K, false, dinp, K, true});
  });
}

}  // namespace sllm
