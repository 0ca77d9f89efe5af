// bench_util.h: what the throughput benchmarks share: a monotonic clock, the name of the build
// they run in (native, wasm-simd, wasm-scalar) and best-of-N timing after warm-up. V8 has no
// on-stack replacement, so the work timed is always a function called many times (a kernel,
// a training step) after warm-up calls have let its tiering compile it with TurboFan.
#pragma once
#include <algorithm>
#include <chrono>

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
// each repeating fn until at least round_s has passed.
template <typename Fn>
double seconds_per_call(Fn&& fn, double warm_s, double round_s, int rounds) {
  const double warm_end = now_s() + warm_s;
  do fn(); while (now_s() < warm_end);
  double best = 1e30;
  for (int r = 0; r < rounds; ++r) {
    int calls = 0;
    const double t0 = now_s();
    double t1;
    do {
      fn();
      ++calls;
      t1 = now_s();
    } while (t1 - t0 < round_s);
    best = std::min(best, (t1 - t0) / calls);
  }
  return best;
}

}  // namespace sllm::bench
