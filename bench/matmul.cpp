// matmul.cpp: GEMM throughput (GFLOP/s) of the dispatching `gemm` on the shapes one training
// step of the nanoGPT CPU reference config runs (4 layers, 4 heads, dim 128, context 64,
// batch 12, vocab 65, ffn 512: M = B*T = 768), forward and backward, with their real strides,
// plus attention's per-head products. Prints a table, then one JSON line whose "step_gflops"
// weighs each shape by how often a training step runs it.
#include <cstdio>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/rng.h"
#include "kernels/kernels.h"

using namespace sllm;

namespace {

struct Shape {
  const char* name;
  int M, N, K;
  bool ta, tb, acc;
  int lda, ldb, ldc;  // 0: packed (the natural stride)
  int per_step;       // times one training step runs it
};

constexpr int L = 4, B = 12, NH = 4, BT = 768, C = 128, F = 512, V = 65, T = 64, HS = 32, C3 = 3 * C;
constexpr int kHeads = L * B * NH;  // (batch, head) pairs over all layers

// Linear layer out (N, OC) = inp (N, C) W^T: forward NT, dinp NN, dweight TN (matmul.cpp).
#define LINEAR(nm, IN, OUT, n)                                                 \
  {nm " fwd", BT, OUT, IN, false, true, false, 0, 0, 0, n},                   \
  {nm " dinp", BT, IN, OUT, false, false, true, 0, 0, 0, n},                  \
  {nm " dweight", OUT, IN, BT, true, false, true, 0, 0, 0, n}

const Shape kShapes[] = {
    LINEAR("qkv", C, C3, L),
    LINEAR("attn proj", C, C, L),
    LINEAR("fc", C, F, L),
    LINEAR("fc proj", F, C, L),
    LINEAR("lm head", C, V, 1),
    // attention (attention.cpp), per (batch, head) on strided views of qkv (B, T, 3C)
    {"att q.k^T (fwd, datt)", T, T, HS, false, true, false, C3, C3, T, 2 * kHeads},
    {"att a.v (fwd)", T, HS, T, false, false, false, T, C3, C, kHeads},
    {"att dq = dp.k", T, HS, T, false, false, true, T, C3, C3, kHeads},
    {"att dv, dk (TN)", T, HS, T, true, false, true, T, C, C3, 2 * kHeads},
};

}  // namespace

int main() {
  Rng rng(1);
  std::printf("gemm throughput, build %s\n", bench::build_name());
  std::printf("%-24s %5s %5s %5s %3s %8s %9s\n", "shape", "M", "N", "K", "op", "us", "GFLOP/s");
  std::string json = std::string("{\"bench\":\"matmul\",\"build\":\"") + bench::build_name() + "\",\"shapes\":[";
  double step_flops = 0, step_seconds = 0;
  bool first = true;
  for (const Shape& s : kShapes) {
    const int lda = s.lda ? s.lda : (s.ta ? s.M : s.K), ldb = s.ldb ? s.ldb : (s.tb ? s.K : s.N);
    const int ldc = s.ldc ? s.ldc : s.N;
    std::vector<float> A(size_t(s.ta ? s.K : s.M) * lda), Bm(size_t(s.tb ? s.N : s.K) * ldb), Cm(size_t(s.M) * ldc);
    for (auto& x : A) x = rng.normal();
    for (auto& x : Bm) x = rng.normal();
    for (auto& x : Cm) x = rng.normal();
    const GemmArgs g{s.M, s.N, s.K, A.data(), lda, s.ta, Bm.data(), ldb, s.tb, Cm.data(), ldc, s.acc};
    const double sec = bench::seconds_per_call([&] { gemm(g); }, 0.15, 0.1, 5);
    const double flops = 2.0 * s.M * s.N * s.K, gflops = flops / sec * 1e-9;
    step_flops += flops * s.per_step;
    step_seconds += sec * s.per_step;
    const char* op = s.ta ? "TN" : s.tb ? "NT" : "NN";
    std::printf("%-24s %5d %5d %5d %3s %8.1f %9.2f\n", s.name, s.M, s.N, s.K, op, sec * 1e6, gflops);
    char item[200];
    std::snprintf(item, sizeof item, "%s{\"name\":\"%s\",\"M\":%d,\"N\":%d,\"K\":%d,\"op\":\"%s\",\"gflops\":%.2f}",
                  first ? "" : ",", s.name, s.M, s.N, s.K, op, gflops);
    json += item;
    first = false;
  }
  const double step_gflops = step_flops / step_seconds * 1e-9;
  std::printf("one training step's GEMMs: %.2f GFLOP in %.1f ms: %.2f GFLOP/s\n", step_flops * 1e-9,
              step_seconds * 1e3, step_gflops);
  char tail[120];
  std::snprintf(tail, sizeof tail, "],\"step_gflop\":%.3f,\"step_gemm_ms\":%.2f,\"step_gflops\":%.2f}",
                step_flops * 1e-9, step_seconds * 1e3, step_gflops);
  std::printf("%s%s\n", json.c_str(), tail);
  return 0;
}
