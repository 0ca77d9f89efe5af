// rng.h: the one random generator of the core. PCG32 (O'Neill) on integer arithmetic only, so
// native and wasm builds draw identical numbers; its whole state is two u64 words, saved in
// checkpoints so a resumed run continues the same stream.
#pragma once
#include <cmath>
#include <cstdint>

namespace sllm {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0x853c49e6748fea9bULL, uint64_t stream = 0xda3e39cb94b95bdbULL) { reseed(seed, stream); }

  void reseed(uint64_t seed, uint64_t stream = 0xda3e39cb94b95bdbULL) {
    state_ = 0;
    inc_ = (stream << 1u) | 1u;
    next_u32();
    state_ += seed;
    next_u32();
  }

  uint32_t next_u32() {
    uint64_t old = state_;
    state_ = old * 6364136223846793005ULL + inc_;
    auto xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
    auto rot = static_cast<uint32_t>(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
  }

  // Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject). n must be > 0.
  uint32_t below(uint32_t n) {
    uint64_t m = uint64_t(next_u32()) * n;
    auto lo = static_cast<uint32_t>(m);
    if (lo < n) {
      uint32_t threshold = (0u - n) % n;
      while (lo < threshold) {
        m = uint64_t(next_u32()) * n;
        lo = static_cast<uint32_t>(m);
      }
    }
    return static_cast<uint32_t>(m >> 32);
  }

  // Uniform float in [0, 1) with 24 random bits (exactly representable).
  float uniform() { return float(next_u32() >> 8) * (1.0f / 16777216.0f); }

  // Standard normal by Box-Muller (one value per call, no cached state).
  float normal() {
    double u1 = (double(next_u32() >> 8) + 1.0) * (1.0 / 16777217.0);  // (0, 1]
    double u2 = double(next_u32() >> 8) * (1.0 / 16777216.0);
    return float(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }

  uint64_t state() const { return state_; }
  uint64_t inc() const { return inc_; }
  void set_state(uint64_t state, uint64_t inc) { state_ = state; inc_ = inc | 1u; }

 private:
  uint64_t state_ = 0, inc_ = 1;
};

}  // namespace sllm
