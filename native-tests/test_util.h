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

inline std::vector<float> random_vec(size_t n, Rng& rng, float scale = 1.0f) {
  std::vector<float> v(n);
  for (auto& x : v) x = scale * rng.normal();
  return v;
}

}  // namespace sllm::test
