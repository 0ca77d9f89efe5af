// test_util.h: helpers shared by the native tests: reading the shared corpus, random fills.
#pragma once
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/rng.h"

namespace sllm::test {

inline std::string shared_path(const std::string& rel) { return std::string(SLLM_SHARED_DIR) + "/" + rel; }

// The shared benchmark corpus (../shared/data/tinyshakespeare.txt), read once. A missing or
// empty file throws, failing the test that asked (never a silent pass on an empty corpus).
inline const std::string& shakespeare() {
  static const std::string text = [] {
    std::ifstream f(shared_path("data/tinyshakespeare.txt"), std::ios::binary);
    if (!f) throw std::runtime_error("the corpus " + shared_path("data/tinyshakespeare.txt") + " is missing");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }();
  return text;
}

// A varied, repetitive made-up text ("Ada sees Bo.\n" ...), easy to learn quickly.
inline std::string made_up_corpus(int lines, uint64_t seed) {
  std::string s;
  const char* names[] = {"Ada", "Bo", "Cy", "Di"};
  const char* verbs[] = {"sees", "likes", "finds", "helps"};
  Rng rng(seed);
  for (int i = 0; i < lines; ++i)
    s += std::string(names[rng.below(4)]) + " " + verbs[rng.below(4)] + " " + names[rng.below(4)] + ".\n";
  return s;
}

inline std::vector<float> random_vec(size_t n, Rng& rng, float scale = 1.0f) {
  std::vector<float> v(n);
  for (auto& x : v) x = scale * rng.normal();
  return v;
}

}  // namespace sllm::test
