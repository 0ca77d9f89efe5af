// fuzz_safetensors.cpp: libFuzzer harness for the safetensors header reader. Each input is read
// as a safetensors file; when its header passes, every F32/F16/BF16 tensor is converted to f32
// (reading exactly the bytes the header gives it). Built and run by scripts/fuzz-safetensors.sh
// (clang, -fsanitize=fuzzer,address,undefined).
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "format/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    sllm::MemorySource src(data, size);
    sllm::StHeader h = sllm::read_safetensors_header(src, "fuzz.safetensors");
    std::vector<uint8_t> raw;
    std::vector<float> out;
    for (const sllm::StTensor& t : h.tensors) {
      if (t.dtype != sllm::StType::F32 && t.dtype != sllm::StType::F16 && t.dtype != sllm::StType::BF16) continue;
      raw.resize(size_t(t.end - t.begin));
      src.read(h.data_start + t.begin, raw.size(), raw.data());
      out.resize(size_t(t.numel()));
      sllm::st_to_f32(t.dtype, raw.data(), out.size(), out.data());
    }
  } catch (const sllm::Error& e) {
    if (e.code() == sllm::ErrorCode::Internal) __builtin_trap();  // a read past the file: a bug
  }
  return 0;
}
