// quant_test_util.h: what the quantized-kernel tests share (native test_quant_kernels.cpp and the
// wasm SIMD-vs-ref test): weight matrices in each dtype (from random floats through the
// file encoder, or raw random bytes with chosen scales), buffers with guard values around
// them, and bitwise comparison.
#pragma once
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/rng.h"
#include "format/dtype.h"
#include "kernels/quant_kernels.h"
#include "wasm/simd_test_util.h"

namespace sllm::qtest {

// A weight matrix owned by the test, in one dtype.
struct Matrix {
  DType dtype;
  int rows, cols;
  std::vector<uint8_t> bytes;
  WeightView view() const { return make_weight_view(dtype, bytes.data(), rows, cols, "test"); }
  std::vector<float> decoded() const {
    std::vector<float> f(size_t(rows) * size_t(cols));
    decode_tensor(dtype, bytes.data(), f.size(), f.data());
    return f;
  }
};

// Random normal values, each row scaled by its own factor in [2^-6, 2^6] (so rows differ in
// magnitude, as real layers do), encoded as the file writer would.
inline Matrix encoded_matrix(DType t, int rows, int cols, Rng& rng) {
  std::vector<float> f(size_t(rows) * size_t(cols));
  for (int r = 0; r < rows; ++r) {
    const float s = std::ldexp(1.0f, int(rng.below(13)) - 6);
    for (int c = 0; c < cols; ++c) f[size_t(r) * size_t(cols) + size_t(c)] = s * rng.normal();
  }
  Matrix m{t, rows, cols, std::vector<uint8_t>(size_t(dtype_nbytes(t, f.size())))};
  encode_tensor(t, f.data(), f.size(), m.bytes.data());
  return m;
}

// Raw random block bytes (every int8 including -128, every nibble), each block's f16 scale a
// random finite half (normal or subnormal, either sign); f16 matrices get random finite halves.
inline uint16_t random_finite_half(Rng& rng) {
  for (;;) {
    const uint16_t h = uint16_t(rng.below(65536));
    if ((h & 0x7C00u) != 0x7C00u) return h;
  }
}
inline Matrix raw_matrix(DType t, int rows, int cols, Rng& rng) {
  const size_t n = size_t(rows) * size_t(cols);
  Matrix m{t, rows, cols, std::vector<uint8_t>(size_t(dtype_nbytes(t, n)))};
  for (auto& b : m.bytes) b = uint8_t(rng.below(256));
  const size_t step = t == DType::Q8_0 ? 34 : t == DType::Q4_0 ? 18 : 2;
  if (t != DType::F32)
    for (size_t off = 0; off < m.bytes.size(); off += step) {
      const uint16_t h = random_finite_half(rng);
      m.bytes[off] = uint8_t(h & 0xFF);
      m.bytes[off + 1] = uint8_t(h >> 8);
    }
  return m;
}

using Guarded = simd_test::Out;

// Index of the first element whose bits differ (two NaNs count as equal: wasm leaves NaN payloads
// unspecified), or n when all are equal.
inline size_t first_difference(const float* a, const float* b, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (std::memcmp(a + i, b + i, 4) && !(std::isnan(a[i]) && std::isnan(b[i]))) return i;
  return n;
}

inline std::string shape_name(const char* what, DType t, int N, int K, int OC) {
  return std::string(what) + " " + dtype_name(t) + " N=" + std::to_string(N) + " K=" + std::to_string(K) +
         " OC=" + std::to_string(OC);
}

}  // namespace sllm::qtest
