// gemm_simd128.cpp: gemm_simd128, the wasm-simd128 GEMM: the blocked driver of gemm_driver.h
// with an f32x4 register-tiled micro-kernel and packers that transpose 4x4 blocks with
// shuffles. Each output element sums its products in the same order as gemm_ref (from zero
// over each depth block, then added to C, no fused multiply-add), so the two agree bit for bit.
#if defined(__wasm_simd128__)
#include <algorithm>

#include "kernels/gemm_driver.h"
#include "kernels/simd128.h"

namespace sllm {

namespace {
using namespace simd;

// Tile shape MR x NR = 4 x 8, the fastest measured: 8 accumulators + 2 B vectors + 1 broadcast
// A value stay in registers (V8's x64 backend allocates from 16 xmm registers, which 4x16, 6x8
// and 8x8 exceed or nearly fill). Measured with
// bench/matmul.cpp in Node 20 (GFLOP/s over one training step's shapes, best of 4 runs):
// 4x8 40.4, 2x16 37.8, 4x16 37.4, 4x12 37.4, 8x8 36.3, 6x8 35.5.
#ifndef SLLM_GEMM_MR  // overridable only for tile-shape experiments
#define SLLM_GEMM_MR 4
#define SLLM_GEMM_NR 8
#endif
constexpr int kMR = SLLM_GEMM_MR, kNR = SLLM_GEMM_NR, kNV = kNR / 4;
static_assert(kNR % 4 == 0, "NR is a whole number of f32x4 vectors");

// The tile product Ap (kc, MR) · Bp (kc, NR) into acc (MR x NV vectors, kept in registers).
// The k loop is unrolled by two (with whole tiles written in place, this took the small
// attention products, K = 32 or 64, from ~26-33 to ~35 GFLOP/s).
struct Tile {
  f32x4 acc[kMR][kNV];
  inline void step(const float* ap, const float* bp) {
    f32x4 b[kNV];
#pragma clang loop unroll(full)
    for (int v = 0; v < kNV; ++v) b[v] = load(bp + 4 * v);
#pragma clang loop unroll(full)
    for (int r = 0; r < kMR; ++r) {
      const f32x4 a = load_splat(ap + r);
#pragma clang loop unroll(full)
      for (int v = 0; v < kNV; ++v) acc[r][v] = madd(acc[r][v], a, b[v]);
    }
  }
  inline void compute(int kc, const float* __restrict ap, const float* __restrict bp) {
#pragma clang loop unroll(full)
    for (int r = 0; r < kMR; ++r)
#pragma clang loop unroll(full)
      for (int v = 0; v < kNV; ++v) acc[r][v] = zero();
    int k = 0;
    for (; k + 2 <= kc; k += 2, ap += 2 * kMR, bp += 2 * kNR) {
      step(ap, bp);
      step(ap + kMR, bp + kNR);
    }
    if (k < kc) step(ap, bp);
  }
  // c (MR rows of stride ldc) = base + acc, base = c (beta) or 0: gemm_ref's ct arithmetic.
  inline void add_to(float* c, size_t ldc, bool beta) const {
#pragma clang loop unroll(full)
    for (int r = 0; r < kMR; ++r)
#pragma clang loop unroll(full)
      for (int v = 0; v < kNV; ++v) {
        float* p = c + r * ldc + 4 * v;
        store(p, add(beta ? load(p) : zero(), acc[r][v]));
      }
  }
};

// A whole tile of C in place: c = (beta ? c : 0) + tile product.
void full_tile_simd128(int kc, const float* ap, const float* bp, float* c, int ldc, bool beta) {
  Tile t;
  t.compute(kc, ap, bp);
  t.add_to(c, size_t(ldc), beta);
}

// Copies a 4 (rows, stride ld) x 4 (contiguous) block of src transposed: dst[j * dld + i] = src[i * ld + j].
inline void copy_transposed4x4(float* dst, int dld, const float* src, size_t ld) {
  f32x4 r0 = load(src), r1 = load(src + ld), r2 = load(src + 2 * ld), r3 = load(src + 3 * ld);
  transpose4(r0, r1, r2, r3);
  store(dst, r0);
  store(dst + dld, r1);
  store(dst + 2 * dld, r2);
  store(dst + 3 * dld, r3);
}

// Packs `rows` rows of length kc (row stride ld) into a panel of width W, transposed:
// panel[k * W + r] = src[r * ld + k]; rows [rows, W) are zero. Used for A (M,K) and B^T (N,K).
template <int W>
void pack_transposed(float* panel, const float* src, size_t ld, int rows, int kc) {
  int r = 0;
  for (; r + 4 <= rows; r += 4) {
    const float* s = src + size_t(r) * ld;
    int k = 0;
    for (; k + 4 <= kc; k += 4) copy_transposed4x4(panel + size_t(k) * W + r, W, s + k, ld);
    for (; k < kc; ++k)
      for (int q = 0; q < 4; ++q) panel[size_t(k) * W + r + q] = s[size_t(q) * ld + k];
  }
  for (; r < rows; ++r)
    for (int k = 0; k < kc; ++k) panel[size_t(k) * W + r] = src[size_t(r) * ld + k];
  if (rows < W)
    for (int k = 0; k < kc; ++k) std::fill(panel + size_t(k) * W + rows, panel + size_t(k) * W + W, 0.0f);
}

// Packs kc rows of `cols` contiguous floats (row stride ld) into a panel of width W:
// panel[k * W + c] = src[k * ld + c]; columns [cols, W) are zero.
template <int W>
void pack_straight(float* panel, const float* src, size_t ld, int cols, int kc) {
  for (int k = 0; k < kc; ++k) {
    const float* s = src + size_t(k) * ld;
    float* d = panel + size_t(k) * W;
    if (cols == W) {
#pragma clang loop unroll(full)
      for (int c = 0; c < W; c += 4) store(d + c, load(s + c));
    } else {
      for (int c = 0; c < cols; ++c) d[c] = s[c];
      for (int c = cols; c < W; ++c) d[c] = 0.0f;
    }
  }
}

// Packs xn rows (of A) or columns (of B) starting at x0, depth [k0, k0 + kc), into panels of
// width W, the layouts of gemm_detail::pack_a / pack_b. `straight`: the matrix is stored with
// depth along its rows (A transposed, B as is), so each depth step is a contiguous copy.
template <int W>
void pack_panels(float* dst, const float* src, int ld, bool straight, int x0, int xn, int k0, int kc) {
  for (int xp = 0; xp < xn; xp += W) {
    const int w = std::min(W, xn - xp), x = x0 + xp;
    float* panel = dst + size_t(xp) * kc;
    if (straight) pack_straight<W>(panel, src + size_t(k0) * ld + x, size_t(ld), w, kc);
    else pack_transposed<W>(panel, src + size_t(x) * ld + k0, size_t(ld), w, kc);
  }
}

}  // namespace

void gemm_simd128(const GemmArgs& g) {
  gemm_detail::gemm_blocked<kMR, kNR>(
      // Edge tiles go through the driver's tile buffer ct (MR, NR): ct += tile product.
      g, [](int kc, const float* ap, const float* bp, float* ct) { full_tile_simd128(kc, ap, bp, ct, kNR, true); },
      [](float* dst, const GemmArgs& a, int i0, int mc, int k0, int kc) {
        pack_panels<kMR>(dst, a.A, a.lda, a.trans_a, i0, mc, k0, kc);
      },
      [](float* dst, const GemmArgs& a, int k0, int kc, int j0, int nc) {
        pack_panels<kNR>(dst, a.B, a.ldb, !a.trans_b, j0, nc, k0, kc);
      },
      [](int kc, const float* ap, const float* bp, float* c, int ldc, bool beta) {
        full_tile_simd128(kc, ap, bp, c, ldc, beta);
      });
}

}  // namespace sllm

#endif  // __wasm_simd128__
