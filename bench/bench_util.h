// bench_util.h: what the throughput benchmarks share: a monotonic clock, the name of the build
// they run in (native, wasm-simd, wasm-scalar) and best-of-N timing after warm-up. V8 has no
// on-stack replacement, so the work timed is always a function called many times (a kernel,
// a training step) after warm-up calls have let its tiering compile it with TurboFan.
#pragma once
#include <algorithm>
#include <chrono>
#include <ctime>
#if defined(__EMSCRIPTEN__)
#include <emscripten.h>
// The Node process's CPU time (user + system), in seconds.
EM_JS(double, sllm_bench_process_cpu_s, (), {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
});
#endif

namespace sllm::bench {

// The fastest of reps calls of f, in milliseconds (for whole operations: saving, loading a file).
template <typename F>
double best_ms(F&& f, int reps = 5) {
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

inline double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU seconds used by this process: on a machine shared with other work, a kernel's time is
// better read from this clock than from the wall clock (preemption does not count).
inline double cpu_s() {
#if defined(__EMSCRIPTEN__)
  return sllm_bench_process_cpu_s();
#else
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
#endif
}

inline const char* build_name() {
#if defined(__wasm_simd128__)
  return "wasm-simd";
#elif defined(__EMSCRIPTEN__)
  return "wasm-scalar";
#else
  return "native";
#endif
}

// Seconds per call of fn: warm-up calls for at least warm_s, then the best of `rounds` rounds,
// each repeating fn until at least round_s has passed, on the clock `clock` (now_s or cpu_s).
template <typename Fn>
double seconds_per_call(Fn&& fn, double warm_s, double round_s, int rounds, double (*clock)() = now_s) {
  const double warm_end = clock() + warm_s;
  do fn(); while (clock() < warm_end);
  double best = 1e30;
  for (int r = 0; r < rounds; ++r) {
    int calls = 0;
    const double t0 = clock();
    double t1;
    do {
      fn();
      ++calls;
      t1 = clock();
    } while (t1 - t0 < round_s);
    best = std::min(best, (t1 - t0) / calls);
  }
  return best;
}

}  // namespace sllm::bench
