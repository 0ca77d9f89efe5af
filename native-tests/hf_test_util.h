// hf_test_util.h: Hugging Face folders for the tests: reading a fixture folder into a FileSet
// (in a shuffled order: the import must not care), writing an export to a folder, the
// reference logits the fixtures carry, and the relative difference the tests bound.
#pragma once
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <dirent.h>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/json.h"
#include "format/byte_source.h"
#include "tokenizer_test_util.h"

namespace sllm::test {

inline std::string hf_fixture_dir(const std::string& name) {
  return std::string(SLLM_SOURCE_DIR) + "/native-tests/fixtures/hf/" + name;
}

// Every file of dir (throws when there is none, so a missing fixture fails).
inline FileSet read_folder(const std::string& dir) {
  FileSet files;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n == "." || n == "..") continue;
      std::string bytes = read_text_file(dir + "/" + n);
      files.push_back({n, MemorySource::owning(std::vector<uint8_t>(bytes.begin(), bytes.end()))});
    }
    closedir(d);
  }
  if (files.empty()) throw std::runtime_error("no files in " + dir);
  std::shuffle(files.begin(), files.end(), std::mt19937(42));
  return files;
}

inline FileSet file_set(std::vector<std::pair<std::string, std::vector<uint8_t>>> named) {
  FileSet out;
  for (auto& [n, b] : named) out.push_back({n, MemorySource::owning(std::move(b))});
  return out;
}

inline void write_folder(const std::string& dir, const std::vector<std::pair<std::string, std::vector<uint8_t>>>& files) {
  mkdir(dir.c_str(), 0755);
  for (const auto& [n, b] : files) {
    std::ofstream f(dir + "/" + n, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  }
}

struct ReferenceLogits {
  int B = 0, T = 0;
  std::vector<int32_t> tokens;  // (B, T)
  std::vector<double> logits;   // (B, T, V)
};

inline ReferenceLogits reference_logits(const std::string& dir) {
  Json j = Json::parse(read_text_file(dir + "/reference.json"));
  ReferenceLogits r;
  for (const Json& row : j.get("tokens", Json::Type::Array).items()) {
    ++r.B;
    r.T = int(row.size());
    for (const Json& t : row.items()) r.tokens.push_back(int32_t(t.as_number()));
  }
  for (const Json& v : j.get("logits", Json::Type::Array).items()) r.logits.push_back(v.as_number());
  return r;
}

// max |a - b| / max |b|: the tests' measure of agreement between logits.
inline double relative_diff(const float* a, const std::vector<double>& b) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    diff = std::max(diff, std::abs(double(a[i]) - b[i]));
    scale = std::max(scale, std::abs(b[i]));
  }
  return diff / scale;
}

}  // namespace sllm::test
