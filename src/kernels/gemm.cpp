// gemm.cpp: the portable scalar GEMM (gemm_ref): the blocked driver with a plain C++
// micro-kernel that compilers can keep in registers (and auto-vectorize natively).
#include "kernels/gemm_driver.h"

namespace sllm {

namespace {
constexpr int kMR = 4, kNR = 16;

void micro_ref(int kc, const float* __restrict ap, const float* __restrict bp, float* __restrict ct) {
  float acc[kMR][kNR] = {};
  for (int k = 0; k < kc; ++k) {
    const float* a = ap + k * kMR;
    const float* b = bp + k * kNR;
    for (int r = 0; r < kMR; ++r)
      for (int q = 0; q < kNR; ++q) acc[r][q] += a[r] * b[q];
  }
  for (int r = 0; r < kMR; ++r)
    for (int q = 0; q < kNR; ++q) ct[r * kNR + q] += acc[r][q];
}
}  // namespace

void gemm_ref(const GemmArgs& g) { gemm_detail::gemm_blocked<kMR, kNR>(g, micro_ref); }

}  // namespace sllm
