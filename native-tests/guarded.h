// guarded.h: an output buffer for kernel tests with guard values before and after it, so a
// kernel that writes (or read-modify-writes) past either end of its output is caught.
#pragma once
#include <cstring>
#include <vector>

namespace sllm::test {

constexpr int kGuard = 16;  // guard floats before and after each output buffer
// A finite guard: arithmetic on it (an overrun in a read-modify-write kernel) changes it, where
// a NaN guard would pass through additions unchanged.
constexpr float kGuardValue = -31415.926f;

// n floats (initial values `init`, or all `fill`) between guard values.
struct Guarded {
  std::vector<float> buf;
  size_t n;
  Guarded(size_t n_, const std::vector<float>& init) : Guarded(n_) {
    for (size_t i = 0; i < n && i < init.size(); ++i) buf[kGuard + i] = init[i];
  }
  explicit Guarded(size_t n_, float fill = 0.0f) : buf(n_ + 2 * kGuard, fill), n(n_) {
    for (int i = 0; i < kGuard; ++i) buf[size_t(i)] = buf[kGuard + n + size_t(i)] = kGuardValue;
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

}  // namespace sllm::test
