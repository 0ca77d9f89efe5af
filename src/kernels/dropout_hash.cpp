// dropout_hash.cpp: counter-based dropout masks (dropout_hash.h): the stream keys, the _ref
// kernel and the dispatcher, which cuts the elements into 2^32-element windows (each with its
// own keys) and splits them over the thread pool.
#include "kernels/dropout_hash.h"

#include <algorithm>

#include "core/thread_pool.h"

namespace sllm {

namespace {
uint64_t splitmix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

uint64_t dropout_key(uint64_t seed, uint64_t a, uint64_t b) { return splitmix64(splitmix64(splitmix64(seed) ^ a) ^ b); }

void hash_dropout_ref(float* x, size_t n, uint32_t first, const HashDropout& d) {
  for (size_t j = 0; j < n; ++j) {
    const uint32_t h = dropout_hash32(first + uint32_t(j), d.k0, d.k1);
    x[j] *= h >= d.threshold ? d.scale : 0.0f;
  }
}

void hash_dropout(float* x, size_t n, uint64_t first, uint64_t key, float p) {
  if (n == 0 || !(p > 0.0f)) return;
  const double t = double(p) * 4294967296.0;
  const uint32_t threshold = t >= 4294967295.0 ? 0xFFFFFFFFu : uint32_t(t);
  const float scale = 1.0f / (1.0f - p);
  size_t done = 0;
  while (done < n) {
    const uint64_t at = first + done, window = at >> 32;
    const uint64_t k = splitmix64(key ^ (window * 0xD1B54A32D192ED03ull));
    const HashDropout d{uint32_t(k), uint32_t(k >> 32), threshold, scale};
    const size_t count = size_t(std::min<uint64_t>(n - done, ((window + 1) << 32) - at));
    float* xs = x + done;
    const uint32_t lo = uint32_t(at);
    parallel_for(0, int64_t(count), 16 * 1024, [&](int64_t a, int64_t b) {
      SLLM_KERNEL(hash_dropout)(xs + a, size_t(b - a), lo + uint32_t(a), d);
    });
    done += count;
  }
}

}  // namespace sllm
