// simd_test_util.h: what the SIMD-vs-_ref tests share: odd sizes, random fills, output buffers
// between guard values, and exact / close comparisons with the first difference in the message.
#pragma once
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/rng.h"

namespace sllm::simd_test {

const int kSizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 64, 100, 257};
constexpr int kGuard = 16;  // guard floats before and after each output buffer
// A finite guard: arithmetic on it (an overrun in a read-modify-write kernel) changes it, where
// a NaN guard would pass through additions unchanged.
constexpr float kGuardValue = -31415.926f;

inline std::vector<float> randn(size_t n, Rng& rng, float scale = 1.0f) {
  std::vector<float> v(n);
  for (auto& x : v) x = scale * rng.normal();
  return v;
}

// An output buffer of n floats (initial values `init`) between guard values.
struct Out {
  std::vector<float> buf;
  size_t n;
  Out(size_t n_, const std::vector<float>& init = {}) : buf(n_ + 2 * kGuard), n(n_) {
    for (int i = 0; i < kGuard; ++i) buf[size_t(i)] = buf[kGuard + n + size_t(i)] = kGuardValue;
    for (size_t i = 0; i < n; ++i) buf[kGuard + i] = init.empty() ? 0.0f : init[i];
  }
  float* data() { return buf.data() + kGuard; }
  const float* data() const { return buf.data() + kGuard; }
  float operator[](size_t i) const { return buf[kGuard + i]; }
  bool guards_intact() const {
    for (int i = 0; i < kGuard; ++i)
      if (std::memcmp(&buf[size_t(i)], &kGuardValue, 4) || std::memcmp(&buf[kGuard + n + size_t(i)], &kGuardValue, 4))
        return false;
    return true;
  }
};

// Bitwise equality of two outputs (and intact guards), with the first difference in the message.
inline void require_exact(const std::string& what, const Out& simd, const Out& ref) {
  INFO(what);
  REQUIRE(simd.guards_intact());
  REQUIRE(ref.guards_intact());
  for (size_t i = 0; i < ref.n; ++i)
    if (std::memcmp(&simd.buf[kGuard + i], &ref.buf[kGuard + i], 4)) {
      INFO("first difference at " << i << ": simd " << simd[i] << " ref " << ref[i]);
      REQUIRE(false);
    }
}

inline bool close(double a, double b, double rtol, double atol) {
  return std::fabs(a - b) <= rtol * std::max(std::fabs(a), std::fabs(b)) + atol;
}

inline void require_close(const std::string& what, const Out& simd, const Out& ref, double rtol, double atol) {
  INFO(what);
  REQUIRE(simd.guards_intact());
  REQUIRE(ref.guards_intact());
  for (size_t i = 0; i < ref.n; ++i)
    if (!close(simd[i], ref[i], rtol, atol)) {
      INFO("first difference at " << i << ": simd " << simd[i] << " ref " << ref[i]);
      REQUIRE(false);
    }
}

constexpr double kRtol = 1e-5;


}  // namespace sllm::simd_test
