// gemm.cpp: the portable scalar GEMM (gemm_ref): the blocked driver with a plain C++
// micro-kernel that compilers can keep in registers (and auto-vectorize natively).
#include "kernels/gemm_driver.h"

namespace sllm {

namespace {
constexpr int kMR = 4, kNR = 16;

void micro_ref(int kc, const float* __restrict ap, const float* __restrict bp, float* __restrict ct) {
  static_assert(kMR == 4, "the micro-kernel keeps four rows of accumulators");
  // One accumulator row per output row, updated across all NR columns for each k: the shape
  // compilers vectorize along q and keep in registers (GCC shuffles an acc[r][q] array instead,
  // 20x slower, and spills when the accumulators are also combined with C here).
  float acc0[kNR] = {}, acc1[kNR] = {}, acc2[kNR] = {}, acc3[kNR] = {};
  for (int k = 0; k < kc; ++k) {
    const float* b = bp + k * kNR;
    const float a0 = ap[k * kMR], a1 = ap[k * kMR + 1], a2 = ap[k * kMR + 2], a3 = ap[k * kMR + 3];
    for (int q = 0; q < kNR; ++q) {
      const float bq = b[q];
      acc0[q] += a0 * bq;
      acc1[q] += a1 * bq;
      acc2[q] += a2 * bq;
      acc3[q] += a3 * bq;
    }
  }
  for (int q = 0; q < kNR; ++q) {
    ct[q] += acc0[q];
    ct[kNR + q] += acc1[q];
    ct[2 * kNR + q] += acc2[q];
    ct[3 * kNR + q] += acc3[q];
  }
}
}  // namespace

void gemm_ref(const GemmArgs& g) { gemm_detail::gemm_blocked<kMR, kNR>(g, micro_ref); }

}  // namespace sllm
