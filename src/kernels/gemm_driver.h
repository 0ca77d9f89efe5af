// gemm_driver.h: the cache-blocked GEMM driver shared by gemm_ref and gemm_simd128.
// Loops over (NC columns) x (KC depth) blocks of B and (MC rows) blocks of A, packs each block
// into contiguous micro-panels (zero-padded at the edges, transposing on the way when asked),
// and calls a register-tiled micro-kernel on MR x NR tiles. Only the micro-kernel differs
// between builds. The micro-kernel computes, for one tile,
//   acc (MR, NR) = sum_k Ap[k*MR + r] * Bp[k*NR + c]
// and adds it into the tile buffer ct (MR, NR) (which holds beta*C for the tile).
#pragma once
#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "kernels/kernels.h"

namespace sllm::gemm_detail {

constexpr int kMC = 96, kKC = 256, kNC = 512;

struct Scratch {
  std::vector<float> a, b;
};
inline Scratch& scratch() {
  static thread_local Scratch s;
  return s;
}

// Packs rows [i0, i0+mc) x depth [k0, k0+kc) of op(A) into panels of MR rows: (ceil(mc/MR), kc, MR).
template <int MR>
void pack_a(float* dst, const GemmArgs& g, int i0, int mc, int k0, int kc) {
  for (int ip = 0; ip < mc; ip += MR) {
    int mr = std::min(MR, mc - ip);
    for (int k = 0; k < kc; ++k) {
      float* d = dst + (size_t(ip) * kc) + size_t(k) * MR;
      for (int r = 0; r < mr; ++r) {
        int i = i0 + ip + r, kk = k0 + k;
        d[r] = g.trans_a ? g.A[size_t(kk) * g.lda + i] : g.A[size_t(i) * g.lda + kk];
      }
      for (int r = mr; r < MR; ++r) d[r] = 0.0f;
    }
  }
}

// Packs depth [k0, k0+kc) x columns [j0, j0+nc) of op(B) into panels of NR cols: (ceil(nc/NR), kc, NR).
template <int NR>
void pack_b(float* dst, const GemmArgs& g, int k0, int kc, int j0, int nc) {
  for (int jp = 0; jp < nc; jp += NR) {
    int nr = std::min(NR, nc - jp);
    float* panel = dst + size_t(jp) * kc;
    if (!g.trans_b) {
      for (int k = 0; k < kc; ++k) {
        const float* src = g.B + size_t(k0 + k) * g.ldb + j0 + jp;
        float* d = panel + size_t(k) * NR;
        for (int c = 0; c < nr; ++c) d[c] = src[c];
        for (int c = nr; c < NR; ++c) d[c] = 0.0f;
      }
    } else {
      for (int c = 0; c < NR; ++c) {
        if (c < nr) {
          const float* src = g.B + size_t(j0 + jp + c) * g.ldb + k0;
          for (int k = 0; k < kc; ++k) panel[size_t(k) * NR + c] = src[k];
        } else {
          for (int k = 0; k < kc; ++k) panel[size_t(k) * NR + c] = 0.0f;
        }
      }
    }
  }
}

// MicroKernel: void(int kc, const float* Ap, const float* Bp, float* ct) adds the tile product
// into ct (MR, NR), row-major with stride NR. PackA and PackB have the signatures of pack_a and
// pack_b and must produce the same layout (a build may pass faster ones). FullTile, optional:
// void(int kc, const float* Ap, const float* Bp, float* c, int ldc, bool beta) does a whole
// MR x NR tile in place in C, c = (beta ? c : 0) + tile product, skipping the copies through ct.
template <int MR, int NR, typename MicroKernel, typename PackA, typename PackB, typename FullTile = std::nullptr_t>
void gemm_blocked(const GemmArgs& g, MicroKernel micro, PackA pack_a_fn, PackB pack_b_fn,
                  FullTile full_tile = nullptr) {
  if (g.M <= 0 || g.N <= 0) return;
  if (g.K <= 0) {
    if (!g.accumulate)
      for (int i = 0; i < g.M; ++i) std::fill(g.C + size_t(i) * g.ldc, g.C + size_t(i) * g.ldc + g.N, 0.0f);
    return;
  }
  Scratch& s = scratch();
  const int mc_max = std::min(kMC, (g.M + MR - 1) / MR * MR);
  const int kc_max = std::min(kKC, g.K);
  const int nc_max = std::min(kNC, (g.N + NR - 1) / NR * NR);
  s.a.resize(size_t(mc_max) * kc_max + MR);
  s.b.resize(size_t(nc_max) * kc_max + NR);
  alignas(16) float ct[MR * NR];
  for (int j0 = 0; j0 < g.N; j0 += kNC) {
    int nc = std::min(kNC, g.N - j0);
    for (int k0 = 0; k0 < g.K; k0 += kKC) {
      int kc = std::min(kKC, g.K - k0);
      bool beta = g.accumulate || k0 > 0;
      pack_b_fn(s.b.data(), g, k0, kc, j0, nc);
      for (int i0 = 0; i0 < g.M; i0 += kMC) {
        int mc = std::min(kMC, g.M - i0);
        pack_a_fn(s.a.data(), g, i0, mc, k0, kc);
        for (int jp = 0; jp < nc; jp += NR) {
          int nr = std::min(NR, nc - jp);
          const float* bp = s.b.data() + size_t(jp) * kc;
          for (int ip = 0; ip < mc; ip += MR) {
            int mr = std::min(MR, mc - ip);
            const float* ap = s.a.data() + size_t(ip) * kc;
            float* c = g.C + size_t(i0 + ip) * g.ldc + j0 + jp;
            if constexpr (!std::is_null_pointer_v<FullTile>) {
              if (mr == MR && nr == NR) {
                full_tile(kc, ap, bp, c, g.ldc, beta);
                continue;
              }
            }
            if (!beta) {
              std::fill(ct, ct + MR * NR, 0.0f);
            } else if (mr == MR && nr == NR) {
              for (int r = 0; r < MR; ++r) std::copy(c + size_t(r) * g.ldc, c + size_t(r) * g.ldc + NR, ct + r * NR);
            } else {
              for (int r = 0; r < MR; ++r)
                for (int q = 0; q < NR; ++q) ct[r * NR + q] = (r < mr && q < nr) ? c[size_t(r) * g.ldc + q] : 0.0f;
            }
            micro(kc, ap, bp, ct);
            for (int r = 0; r < mr; ++r) std::copy(ct + r * NR, ct + r * NR + nr, c + size_t(r) * g.ldc);
          }
        }
      }
    }
  }
}

template <int MR, int NR, typename MicroKernel>
void gemm_blocked(const GemmArgs& g, MicroKernel micro) {
  gemm_blocked<MR, NR>(g, micro, pack_a<MR>, pack_b<NR>);
}

}  // namespace sllm::gemm_detail
