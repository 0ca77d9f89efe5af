// test_rng.cpp: the core's random generator is PCG32 exactly (the reference implementation's
// published outputs), and the batches and normals drawn from it are fixed numbers, so every
// build (native, wasm SIMD, wasm scalar) draws the same. This file is also compiled into the
// wasm test binaries.
#include <catch2/catch.hpp>

#include "core/rng.h"
#include "data/dataset.h"

using namespace sllm;

TEST_CASE("Rng is PCG32: the reference implementation's outputs for seed 42, stream 54", "[rng]") {
  Rng rng(42, 54);
  const uint32_t expected[] = {0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e};
  for (uint32_t e : expected) CHECK(rng.next_u32() == e);
}

TEST_CASE("uniform, below and normal are fixed functions of the stream", "[rng]") {
  Rng a(7);
  uint64_t sum = 0;
  for (int i = 0; i < 1000; ++i) sum += a.below(1000);
  CHECK(sum == 503892);  // the same in every build
  Rng b(7);
  CHECK(b.uniform() * 16777216.0f == float(13814990));  // 24 random bits: exact in every build
  Rng c(11);
  double s = 0, s2 = 0;
  for (int i = 0; i < 20000; ++i) {
    double x = c.normal();
    s += x;
    s2 += x * x;
  }
  CHECK(s / 20000 == Approx(0.0).margin(0.03));
  CHECK(s2 / 20000 == Approx(1.0).epsilon(0.03));
  Rng state_copy(99);
  state_copy.next_u32();
  Rng restored;
  restored.set_state(state_copy.state(), state_copy.inc());
  CHECK(restored.next_u32() == state_copy.next_u32());
}

TEST_CASE("training batches are the same numbers in every build", "[rng][data]") {
  std::vector<int32_t> tokens(1000);
  for (int i = 0; i < 1000; ++i) tokens[size_t(i)] = i;
  TokenDataset data(tokens, 0.1f);
  Rng rng(1337);
  Batch b;
  data.sample_train(rng, 3, 8, b);
  // Each row is a window of consecutive ids from a random offset below 900 - 8 (the split);
  // y is x shifted by one.
  CHECK(b.x[0] == 435);
  CHECK(b.x[8] == 780);
  CHECK(b.x[16] == 162);
  for (int i = 0; i < 24; ++i) CHECK(b.y[size_t(i)] == b.x[size_t(i)] + 1);
}
