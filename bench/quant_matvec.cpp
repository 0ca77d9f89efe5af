// quant_matvec.cpp: throughput of the linear layer on weights kept in f32, f16, q8_0 and q4_0
// (quant_kernels.h's linear_forward, activation quantization included) at GPT-2-124M's shapes:
// one row (decoding's matvec: GFLOP/s and the weight bytes streamed per second, GB/s) and a
// 128-row batch (prefill: GFLOP/s; 0 for the output layer, which prefill runs on one row).
// Then one decoded token's matvecs (12 layers of qkv, attn proj, fc, fc proj, plus the
// 50257-row output layer) per dtype, in ms, and its speed-up over f32.
// Prints a table, then one JSON line. Usage: bench_quant_matvec [--quick] [--cpu] [--shape NAME]:
// shorter timing; time on the process's CPU clock instead of the wall clock (for a busy
// machine); only the named shape (e.g. "lm head").
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/rng.h"
#include "kernels/quant_kernels.h"

using namespace sllm;

namespace {

struct Shape {
  const char* name;
  int OC, K;
  int per_token;  // matvecs of this shape in one decoded token of GPT-2-124M
  bool prefill;   // run in prefill too (the output layer only runs on the last position)
};
const Shape kShapes[] = {
    {"attn qkv", 2304, 768, 12, true}, {"attn proj", 768, 768, 12, true}, {"mlp fc", 3072, 768, 12, true},
    {"mlp proj", 768, 3072, 12, true}, {"lm head", 50257, 768, 1, false},
};
const DType kTypes[] = {DType::F32, DType::F16, DType::Q8_0, DType::Q4_0};
constexpr int kPrefill = 128;

std::vector<uint8_t> random_weights(DType t, int OC, int K, Rng& rng) {
  std::vector<float> f(size_t(OC) * size_t(K));
  for (auto& x : f) x = 0.02f * rng.normal();
  std::vector<uint8_t> bytes(size_t(dtype_nbytes(t, f.size())));
  encode_tensor(t, f.data(), f.size(), bytes.data());
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  double (*clock)() = bench::now_s;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    if (std::strcmp(argv[i], "--cpu") == 0) clock = bench::cpu_s;
    if (std::strcmp(argv[i], "--shape") == 0 && i + 1 < argc) only = argv[++i];
  }
  const double warm = quick ? 0.05 : 0.15, round = quick ? 0.05 : 0.1;
  const int rounds = quick ? 2 : 5;
  Rng rng(1);
  std::printf("linear layer on f32/f16/q8_0/q4_0 weights, GPT-2-124M shapes, build %s, %s clock\n",
              bench::build_name(), clock == bench::cpu_s ? "CPU" : "wall");
  std::printf("%-10s %6s %5s %5s %9s %9s %9s %14s\n", "shape", "OC", "K", "dtype", "1-row us", "GFLOP/s", "GB/s",
              "128-row GFLOP/s");
  std::string json = std::string("{\"bench\":\"quant_matvec\",\"build\":\"") + bench::build_name() + "\",\"shapes\":[";
  double token_ms[4] = {0, 0, 0, 0};
  bool first = true;
  for (const Shape& s : kShapes) {
    if (!only.empty() && only != s.name) continue;
    std::vector<float> x(size_t(kPrefill) * size_t(s.K)), y(size_t(kPrefill) * size_t(s.OC));
    for (auto& v : x) v = rng.normal();
    for (int ti = 0; ti < 4; ++ti) {
      const DType t = kTypes[ti];
      const std::vector<uint8_t> bytes = random_weights(t, s.OC, s.K, rng);
      const WeightView w = make_weight_view(t, bytes.data(), s.OC, s.K, s.name);
      LinearScratch scratch;
      const double sec1 = bench::seconds_per_call([&] { linear_forward(y.data(), x.data(), w, nullptr, 1, scratch); },
                                                  warm, round, rounds, clock);
      const double secN = !s.prefill ? 0 : bench::seconds_per_call(
          [&] { linear_forward(y.data(), x.data(), w, nullptr, kPrefill, scratch); }, warm, round, rounds, clock);
      const double flops = 2.0 * s.OC * s.K;
      const double gf1 = flops / sec1 * 1e-9, gb = double(bytes.size()) / sec1 * 1e-9;
      const double gfN = s.prefill ? flops * kPrefill / secN * 1e-9 : 0;
      token_ms[ti] += sec1 * 1e3 * s.per_token;
      std::printf("%-10s %6d %5d %5s %9.1f %9.2f %9.2f %14.2f\n", s.name, s.OC, s.K, dtype_name(t), sec1 * 1e6, gf1, gb,
                  gfN);
      char item[256];
      std::snprintf(item, sizeof item,
                    "%s{\"name\":\"%s\",\"OC\":%d,\"K\":%d,\"dtype\":\"%s\",\"matvec_us\":%.1f,\"matvec_gflops\":%.3f,"
                    "\"matvec_gbps\":%.3f,\"prefill_gflops\":%.3f}",
                    first ? "" : ",", s.name, s.OC, s.K, dtype_name(t), sec1 * 1e6, gf1, gb, gfN);
      json += item;
      first = false;
    }
  }
  std::printf("one decoded token's matvecs (GPT-2-124M: 12 x (qkv, proj, fc, fc proj) + lm head):\n");
  json += "],\"token_ms\":{";
  for (int ti = 0; ti < 4; ++ti) {
    std::printf("  %-5s %8.2f ms  %5.2fx f32\n", dtype_name(kTypes[ti]), token_ms[ti], token_ms[0] / token_ms[ti]);
    char item[64];
    std::snprintf(item, sizeof item, "%s\"%s\":%.3f", ti ? "," : "", dtype_name(kTypes[ti]), token_ms[ti]);
    json += item;
  }
  std::printf("%s}}\n", json.c_str());
  return 0;
}
