// dropout_hash.h: counter-based dropout. Whether element i of a stream (a 64-bit key) is kept
// is a hash of (key, i), so any piece of the elements regenerates exactly the same decisions in
// any order: the recomputing and chunked passes (and LoRA's dropout on the adapter input) apply
// masks without storing them. Element i is dropped when the hash's 32 bits fall below p * 2^32
// and otherwise scaled by 1 / (1 - p), as dropout_mask's materialized masks are.
// _ref and _simd128 twins (i32x4 lanes compute the same integers), forward and backward being
// the same multiplication; the dispatcher splits the work over the thread pool by elements.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/dispatch.h"

namespace sllm {

// The 32-bit hash of element i within a 2^32-element window whose keys are k0, k1.
inline uint32_t dropout_mix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}
inline uint32_t dropout_hash32(uint32_t i, uint32_t k0, uint32_t k1) { return dropout_mix32(dropout_mix32(i ^ k0) + k1); }

// A stream key mixed from a seed and up to two small integers (layer, what), splitmix64-style.
uint64_t dropout_key(uint64_t seed, uint64_t a, uint64_t b = 0);

// What the kernels take for one window: keys, threshold = floor(p * 2^32) and scale 1 / (1 - p).
struct HashDropout {
  uint32_t k0, k1, threshold;
  float scale;
};

// x[j] *= (hash32(first + j) >= threshold ? scale : 0) for j < n (first + n <= 2^32).
void hash_dropout_ref(float* x, size_t n, uint32_t first, const HashDropout& d);
#if defined(__wasm_simd128__)
void hash_dropout_simd128(float* x, size_t n, uint32_t first, const HashDropout& d);
#endif

// x (n) *= the mask of elements [first, first + n) of stream `key` at drop probability p
// (0 <= p < 1; p = 0 does nothing). Parallel; the same result on any thread count.
void hash_dropout(float* x, size_t n, uint64_t first, uint64_t key, float p);

}  // namespace sllm
