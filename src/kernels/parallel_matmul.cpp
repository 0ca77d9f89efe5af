// parallel_matmul.cpp: the dispatchers of gemm, matvec and bias_backward, which split the work
// over the thread pool by output blocks: gemm by blocks of columns of C when it is wider than
// tall (else the GEMM driver splits its rows itself), matvec by output rows, bias_backward by
// columns. Each output element is computed by one call of the one-thread kernel on a
// sub-problem, which sums it in the same order as the whole problem would (the
// kernels' per-element arithmetic does not depend on where the element's tile starts), so the
// results are bit-identical for any thread count. Small problems stay on the calling thread.
#include <algorithm>

#include "core/thread_pool.h"
#include "kernels/kernels.h"

namespace sllm {

namespace {
// A matvec (decoding) runs between other regions while the threads still spin, so waking them
// is cheap: split from a quarter of kMinParallelWork (finer chunks also even the shares out).
constexpr int64_t kMinMacsMatvec = kMinParallelWork / 4;
// Blocks of C start at multiples of 16 rows or columns (whole micro-tiles in every build).
constexpr int64_t kAlign = 16;
}  // namespace

void gemm(const GemmArgs& g) {
  // At least as many rows as columns: the driver itself splits the rows of C over the pool,
  // packing each block of B once for all threads (see gemm_driver.h).
  if (g.M >= g.N || g.M <= 0 || g.N <= 0 || g.K <= 0) {
    SLLM_KERNEL(gemm)(g);
    return;
  }
  // Wider than tall: blocks of columns, each packing its share of B and all of A (the smaller
  // operand); inside the region the driver runs inline.
  parallel_for(0, g.N, work_grain(int64_t(g.M) * g.K, kAlign), [&](int64_t lo, int64_t hi) {
    GemmArgs s = g;
    s.N = int(hi - lo);
    s.B = g.trans_b ? g.B + size_t(lo) * g.ldb : g.B + lo;
    s.C = g.C + lo;
    SLLM_KERNEL(gemm)(s);
  });
}

void matvec(float* y, const float* w, const float* x, const float* b, int C, int OC) {
  parallel_for(0, OC, work_grain(C, 4, kMinMacsMatvec), [&](int64_t lo, int64_t hi) {
    SLLM_KERNEL(matvec)(y + lo, w + size_t(lo) * C, x, b ? b + lo : nullptr, C, int(hi - lo));
  });
}

void bias_backward(float* dbias, const float* dout, int N, int OC) {
  // Columns [lo, hi) of every row: a strided view of dout with row stride OC.
  parallel_for(0, OC, work_grain(N, kAlign), [&](int64_t lo, int64_t hi) {
    if (lo == 0 && hi == OC) {
      SLLM_KERNEL(bias_backward)(dbias, dout, N, OC);
      return;
    }
    // The kernel reads rows of width OC; give it one row at a time of the block's width, which
    // adds each row into dbias in row order (the kernel's own order, element by element).
    for (int i = 0; i < N; ++i) SLLM_KERNEL(add_inplace)(dbias + lo, dout + size_t(i) * OC + lo, size_t(hi - lo));
  });
}

}  // namespace sllm
