// fuzz_safetensors.cpp: libFuzzer harness for the safetensors header reader and the Hugging Face
// model import behind it. Each input is read as a safetensors file; when its header passes,
// every F32/F16/BF16 tensor is converted to f32 (reading exactly the bytes the header gives it),
// and the input is imported as the model.safetensors of the gpt2 fixture's folder (its
// config.json and tokenizer files, read at start-up from SLLM_FIXTURE_DIR), then run once when it
// imports. Built and run by scripts/fuzz-hf.sh (clang, -fsanitize=fuzzer,address,undefined).
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/error.h"
#include "format/hf_model.h"
#include "format/safetensors.h"
#include "model/model.h"

namespace {
sllm::FileSet g_folder;  // the fixture's files other than the weights

std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  return std::vector<uint8_t>(s.begin(), s.end());
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("SLLM_FIXTURE_DIR");
  if (!dir) return 0;
  for (const char* name : {"config.json", "tokenizer.json", "tokenizer_config.json"})
    g_folder.push_back({name, sllm::MemorySource::owning(slurp(std::string(dir) + "/" + name))});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto src = std::make_shared<sllm::MemorySource>(data, size);
  try {
    sllm::StHeader h = sllm::read_safetensors_header(*src, "fuzz.safetensors");
    std::vector<uint8_t> raw;
    std::vector<float> out;
    for (const sllm::StTensor& t : h.tensors) {
      if (t.dtype != sllm::StType::F32 && t.dtype != sllm::StType::F16 && t.dtype != sllm::StType::BF16) continue;
      raw.resize(size_t(t.end - t.begin));
      src->read(h.data_start + t.begin, raw.size(), raw.data());
      out.resize(size_t(t.numel()));
      sllm::st_to_f32(t.dtype, raw.data(), out.size(), out.data());
    }
    if (g_folder.empty()) return 0;
    sllm::FileSet files = g_folder;
    files.push_back({"model.safetensors", src});
    sllm::LoadedFile f = sllm::import_hf(files);
    const int32_t tokens[4] = {0, 1, 2, 3};
    f.model->forward(tokens, nullptr, 1, 4);
  } catch (const sllm::Error& e) {
    if (e.code() == sllm::ErrorCode::Internal) __builtin_trap();  // a read past the file: a bug
  }
  return 0;
}
