// parallel_test_util.h: what the thread-split kernel tests share: output buffers between guard
// values, and require_same, which runs a kernel once on one thread and once per thread count
// (1 to 4) through its dispatcher and requires every output to match bit for bit.
#pragma once
#include <catch2/catch.hpp>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/thread_pool.h"

namespace sllm::test {

constexpr size_t kGuard = 8;
constexpr float kGuardValue = -27182.818f;

struct Buf {
  std::vector<float> v;
  size_t n;
  Buf(size_t n_, Rng& rng) : v(n_ + 2 * kGuard, kGuardValue), n(n_) {
    for (size_t i = 0; i < n; ++i) v[kGuard + i] = rng.normal();
  }
  float* data() { return v.data() + kGuard; }
};

inline std::vector<float> randn(size_t n, Rng& rng) {
  std::vector<float> v(n);
  for (auto& x : v) x = rng.normal();
  return v;
}

// Runs `kernel` on fresh copies of the outputs (seeded identically) once through the one-thread
// kernel and once per thread count through the dispatcher; every output must match bit for bit.
inline void require_same(const std::string& what, const std::vector<size_t>& sizes,
                  const std::function<void(std::vector<Buf>&)>& one_thread,
                  const std::function<void(std::vector<Buf>&)>& dispatched) {
  auto fresh = [&] {
    Rng rng(99);
    std::vector<Buf> out;
    for (size_t n : sizes) out.emplace_back(n, rng);
    return out;
  };
  std::vector<Buf> expect = fresh();
  set_num_threads(1);
  one_thread(expect);
  for (int threads : {1, 2, 3, 4}) {
    set_num_threads(threads);
    std::vector<Buf> got = fresh();
    dispatched(got);
    for (size_t k = 0; k < sizes.size(); ++k) {
      INFO(what << ": output " << k << " on " << threads << " threads");
      REQUIRE(std::memcmp(got[k].v.data(), expect[k].v.data(), sizeof(float) * got[k].v.size()) == 0);
    }
  }
  set_num_threads(1);
}

}  // namespace sllm::test
