// quant_f16.cpp: the portable (_ref) f16-weight product and the embedding row lookup of
// quant_kernels.h. The f16 product converts a group of weight rows to f32 (exactly) and runs
// matvec_ref on each row of x, so it equals matvec_ref on the decoded matrix bit for bit; the
// _simd128 twin (quant_f16_simd128.cpp) does the same with SIMD conversion and matvec_simd128.
#include <vector>

#include "kernels/quant_kernels.h"

namespace sllm {

namespace {
constexpr int kF16Group = 4;  // weight rows converted at once (matvec's 4-row tile)
}

void matmul_f16_ref(const F16MatmulArgs& a, int r0, int r1) {
  std::vector<float> rows(size_t(kF16Group) * size_t(a.K));
  const size_t row_bytes = size_t(a.K) * 2;
  for (int o = r0; o < r1; o += kF16Group) {
    const int n = r1 - o < kF16Group ? r1 - o : kF16Group;
    const uint8_t* w = a.w + size_t(o) * row_bytes;
    decode_f16_ref(rows.data(), w, size_t(n) * size_t(a.K));
    for (int t = 0; t < a.N; ++t)
      matvec_ref(a.y + size_t(t) * size_t(a.OC) + size_t(o), rows.data(), a.x + size_t(t) * size_t(a.K),
                 a.bias ? a.bias + o : nullptr, a.K, n);
  }
}

void decode_f16_ref(float* out, const uint8_t* h, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = f16_to_f32_fast(uint16_t(h[2 * i] | h[2 * i + 1] << 8));
}

void embedding_row_ref(float* out, const WeightView& w, int row) {
  decode_tensor(w.dtype, w.data + size_t(row) * w.row_bytes(), size_t(w.cols), out);
}

}  // namespace sllm
