// linear_input_grad.cpp: dinp += dout · W for a weight in its file dtype, a tile of dequantized
// rows at a time (see linear_input_grad.h).
#include "kernels/linear_input_grad.h"

#include <algorithm>
#include <vector>

#include "kernels/kernels.h"

namespace sllm {

void linear_input_grad(float* dinp, const float* dout, const LinearWeight& w, int N) {
  const int K = w.cols(), OC = w.rows();
  if (is_f32_matrix(w)) {
    gemm(GemmArgs{N, K, OC, dout, OC, false, w.part[0].f32(), K, false, dinp, K, true});
    return;
  }
  thread_local std::vector<float> tile;
  tile.resize(size_t(kLinearGradTile) * size_t(K));
  int row0 = 0;  // the part's first output column in dout
  for (int p = 0; p < w.parts; ++p) {
    const WeightView& v = w.part[p];
    for (int r = 0; r < v.rows; r += kLinearGradTile) {
      const int rows = std::min(kLinearGradTile, v.rows - r);
      if (v.dtype == DType::F32) {
        gemm(GemmArgs{N, K, rows, dout + row0 + r, OC, false, v.f32() + size_t(r) * size_t(K), K, false, dinp, K, true});
        continue;
      }
      for (int i = 0; i < rows; ++i) embedding_row(tile.data() + size_t(i) * size_t(K), v, r + i);
      gemm(GemmArgs{N, K, rows, dout + row0 + r, OC, false, tile.data(), K, false, dinp, K, true});
    }
    row0 += v.rows;
  }
}

}  // namespace sllm
