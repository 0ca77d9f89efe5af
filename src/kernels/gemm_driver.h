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

#include "core/thread_pool.h"
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

// Threads: the driver packs each block of B once, its panels split over the thread pool, and
// then splits the rows of C over the pool, each chunk packing its own rows of A (a row split that
// packed B in every chunk would copy B once per chunk). Every tile is computed by the same
// micro-kernel calls over the same packed numbers, in ascending depth blocks, wherever its chunk
// starts, so C is bit-identical for any thread count. Called from inside a parallel region (or
// on one thread) both phases run inline.
// Rows per chunk: a multiple of kRowAlign, with at least kMinParallelWork multiply-adds.
constexpr int64_t kRowAlign = 16;
// Depth blocks whose packed B is shared at once: at most this many floats (8 MiB).
constexpr int64_t kSharedFloats = int64_t(1) << 21;

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
  const int mc_max = std::min(kMC, (g.M + MR - 1) / MR * MR);
  const int kc_max = std::min(kKC, g.K);
  const int nc_max = std::min(kNC, (g.N + NR - 1) / NR * NR);
  const int kblocks = (g.K + kKC - 1) / kKC;
  // Depth blocks [kb0, kb0 + span) share one packing of B: block kb at (kb - kb0) * kKC * (nc
  // rounded up to whole panels of NR).
  const int span = int(std::clamp<int64_t>(kSharedFloats / (int64_t(nc_max) * kc_max), 1, kblocks));
  std::vector<float>& bp_all = scratch().b;  // the calling thread's; the chunks read it
  bp_all.resize(size_t(span) * kc_max * nc_max + NR);
  for (int j0 = 0; j0 < g.N; j0 += kNC) {
    const int nc = std::min(kNC, g.N - j0), panels = (nc + NR - 1) / NR;
    for (int kb0 = 0; kb0 < kblocks; kb0 += span) {
      const int kb1 = std::min(kblocks, kb0 + span);
      const int k_span = std::min(g.K, kb1 * kKC) - kb0 * kKC;
      // Phase 1: pack the span's blocks of B, a panel (kc x NR) per unit.
      parallel_for(0, int64_t(kb1 - kb0) * panels, work_grain(int64_t(kc_max) * NR),
                   [&](int64_t lo, int64_t hi) {
                     for (int64_t u = lo; u < hi; ++u) {
                       const int kb = kb0 + int(u / panels), jp = int(u % panels) * NR;
                       const int k0 = kb * kKC, kc = std::min(kKC, g.K - k0);
                       float* block = bp_all.data() + size_t(kb - kb0) * kKC * panels * NR;
                       pack_b_fn(block + size_t(jp) * kc, g, k0, kc, j0 + jp, std::min(NR, nc - jp));
                     }
                   });
      // Phase 2: rows of C in chunks; each packs its rows of A and runs its tiles.
      const int64_t row_macs = int64_t(nc) * k_span;
      const int64_t grain = work_grain(row_macs, kRowAlign);
      parallel_for(0, g.M, grain, [&](int64_t lo, int64_t hi) {
        std::vector<float>& ap_buf = scratch().a;
        ap_buf.resize(size_t(mc_max) * kc_max + MR);
        alignas(16) float ct[MR * NR];
        for (int kb = kb0; kb < kb1; ++kb) {
          const int k0 = kb * kKC, kc = std::min(kKC, g.K - k0);
          const bool beta = g.accumulate || k0 > 0;
          const float* block = bp_all.data() + size_t(kb - kb0) * kKC * panels * NR;
          for (int i0 = int(lo); i0 < int(hi); i0 += kMC) {
            const int mc = std::min(kMC, int(hi) - i0);
            pack_a_fn(ap_buf.data(), g, i0, mc, k0, kc);
            for (int jp = 0; jp < nc; jp += NR) {
              const int nr = std::min(NR, nc - jp);
              const float* bp = block + size_t(jp) * kc;
              for (int ip = 0; ip < mc; ip += MR) {
                const int mr = std::min(MR, mc - ip);
                const float* ap = ap_buf.data() + size_t(ip) * kc;
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
      });
    }
  }
}

template <int MR, int NR, typename MicroKernel>
void gemm_blocked(const GemmArgs& g, MicroKernel micro) {
  gemm_blocked<MR, NR>(g, micro, pack_a<MR>, pack_b<NR>);
}

}  // namespace sllm::gemm_detail
