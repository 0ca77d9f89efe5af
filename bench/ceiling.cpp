// ceiling.cpp: the machine's own parallel ceiling, measured the same way in every build: one
// thread runs a fixed busy loop (floating-point work on registers, no memory traffic), then N
// threads each run the same loop at once; the ceiling for N threads is N x t(1) / t(N), the
// speed-up perfectly parallel work could get here and now (a shared or noisy machine, or SMT
// siblings, give less than N). Best of `rounds` rounds. Last line: one JSON object.
// usage: bench_ceiling [--threads N ...] [--rounds N] [--ms M]   (N defaults to 2 and all)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"

namespace {

volatile double g_sink;

// About `iters` dependent multiply-adds in four chains.
double busy(long iters) {
  double a = 1.0, b = 1.1, c = 1.2, d = 1.3;
  for (long i = 0; i < iters; ++i) {
    a = a * 0.999999 + 1e-7;
    b = b * 0.999998 + 2e-7;
    c = c * 0.999997 + 3e-7;
    d = d * 0.999996 + 4e-7;
  }
  return a + b + c + d;
}

// Seconds for n threads each running busy(iters) at once.
double run(int n, long iters) {
  const double t0 = sllm::bench::now_s();
  std::vector<std::thread> ts;
  for (int i = 1; i < n; ++i) ts.emplace_back([iters] { g_sink = busy(iters); });
  g_sink = busy(iters);
  for (auto& t : ts) t.join();
  return sllm::bench::now_s() - t0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> counts;
  int rounds = 3;
  double ms = 300;
  const int all = std::max(1, int(std::thread::hardware_concurrency()));
  for (int i = 1; i < argc; ++i) {
    auto next = [&] { return i + 1 < argc ? std::atof(argv[++i]) : 0.0; };
    if (!std::strcmp(argv[i], "--threads")) counts.push_back(int(next()));
    else if (!std::strcmp(argv[i], "--rounds")) rounds = int(next());
    else if (!std::strcmp(argv[i], "--ms")) ms = next();
  }
  if (counts.empty()) counts = all > 2 ? std::vector<int>{2, all} : std::vector<int>{2};
  // Calibrate the loop to about `ms` milliseconds on one thread.
  long iters = 1 << 20;
  while (run(1, iters) < ms / 1e3 / 4) iters *= 2;
  iters = long(double(iters) * (ms / 1e3) / run(1, iters));
  std::printf("parallel ceiling, build %s: busy loop of %ld iterations (~%.0f ms), best of %d rounds\n",
              sllm::bench::build_name(), iters, ms, rounds);
  std::string json = "{\"bench\":\"ceiling\",\"build\":\"" + std::string(sllm::bench::build_name()) +
                     "\",\"hardware_concurrency\":" + std::to_string(all) + ",\"ceiling\":{";
  for (size_t k = 0; k < counts.size(); ++k) {
    const int n = counts[k];
    double best = 0;
    for (int r = 0; r < rounds; ++r) {
      const double t1 = run(1, iters), tn = run(n, iters);
      best = std::max(best, n * t1 / tn);
    }
    std::printf("%d threads: ceiling %.2fx (perfect: %dx)\n", n, best, n);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s\"%d\":%.3f", k ? "," : "", n, best);
    json += buf;
  }
  std::printf("%s}}\n", json.c_str());
  return 0;
}
