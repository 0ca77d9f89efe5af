// matmul_simd128.cpp: the wasm-simd128 matvec (generation's single-row linear layer) and the
// bias gradient (column sums). Both keep matmul.cpp's _ref summation order per output element:
// matvec's f32x4 accumulator lanes are _ref's four partial sums s0..s3 (combined as
// (s0 + s1) + (s2 + s3), then the tail), and bias_backward adds rows in order; both exact.
#if defined(__wasm_simd128__)
#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace sllm {

using namespace simd;

namespace {
// One output of matvec, in matvec_ref's order.
inline float dot_row(const float* w, const float* x, int C) {
  f32x4 acc = zero();
  int c = 0;
  for (; c + 4 <= C; c += 4) acc = madd(acc, load(w + c), load(x + c));
  float s = hsum(acc);
  for (; c < C; ++c) s += w[c] * x[c];
  return s;
}
}  // namespace

void matvec_simd128(float* y, const float* weight, const float* x, const float* bias, int C, int OC) {
  int o = 0;
  // Four rows at a time: independent accumulators hide the add latency, and x loads are shared.
  for (; o + 4 <= OC; o += 4) {
    const float* w0 = weight + size_t(o) * C;
    const float *w1 = w0 + C, *w2 = w1 + C, *w3 = w2 + C;
    f32x4 a0 = zero(), a1 = zero(), a2 = zero(), a3 = zero();
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      const f32x4 xv = load(x + c);
      a0 = madd(a0, load(w0 + c), xv);
      a1 = madd(a1, load(w1 + c), xv);
      a2 = madd(a2, load(w2 + c), xv);
      a3 = madd(a3, load(w3 + c), xv);
    }
    float s[4] = {hsum(a0), hsum(a1), hsum(a2), hsum(a3)};
    const float* rows[4] = {w0, w1, w2, w3};
    for (int r = 0; r < 4; ++r) {
      for (int cc = c; cc < C; ++cc) s[r] += rows[r][cc] * x[cc];
      y[o + r] = s[r] + (bias ? bias[o + r] : 0.0f);
    }
  }
  for (; o < OC; ++o) y[o] = dot_row(weight + size_t(o) * C, x, C) + (bias ? bias[o] : 0.0f);
}

void bias_backward_simd128(float* dbias, const float* dout, int N, int OC) {
  int o = 0;
  // Sixteen columns at a time held in registers across all rows.
  for (; o + 16 <= OC; o += 16) {
    f32x4 s0 = load(dbias + o), s1 = load(dbias + o + 4), s2 = load(dbias + o + 8), s3 = load(dbias + o + 12);
    const float* row = dout + o;
    for (int i = 0; i < N; ++i, row += OC) {
      s0 = add(s0, load(row));
      s1 = add(s1, load(row + 4));
      s2 = add(s2, load(row + 8));
      s3 = add(s3, load(row + 12));
    }
    store(dbias + o, s0);
    store(dbias + o + 4, s1);
    store(dbias + o + 8, s2);
    store(dbias + o + 12, s3);
  }
  for (; o + 4 <= OC; o += 4) {
    f32x4 s = load(dbias + o);
    for (int i = 0; i < N; ++i) s = add(s, load(dout + size_t(i) * OC + o));
    store(dbias + o, s);
  }
  for (; o < OC; ++o) {
    float s = dbias[o];
    for (int i = 0; i < N; ++i) s += dout[size_t(i) * OC + o];
    dbias[o] = s;
  }
}

}  // namespace sllm

#endif  // __wasm_simd128__
