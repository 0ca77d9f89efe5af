// fuzz_sllm_reader.cpp: libFuzzer harness for the SLLM reader. Each input is loaded twice: as
// is (mostly stopped by the checksum) and with its checksum recomputed, so mutations reach
// every later check. A file that loads is also run: one forward pass and a few sampled tokens.
// An input is also read as a LoRA adapter file (the same reader against the adapter's tensors).
// Built and run by scripts/fuzz.sh (clang, -fsanitize=fuzzer,address,undefined).
#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

#include "core/error.h"
#include "format/adapter_file.h"
#include "format/crc32.h"
#include "format/sllm_file.h"
#include "fuzz_run_model.h"
#include "generate/generator.h"

namespace {
void try_load(const uint8_t* data, size_t size) {
  try {
    sllm::LoadedFile f = sllm::load_file(data, size);
    fuzz_run_model(f);
  } catch (const sllm::Error&) {
  }
  try {
    sllm::LoadedAdapter a = sllm::load_adapter(data, size);
    (void)a;
  } catch (const sllm::Error&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try_load(data, size);
  if (size >= 20) {
    std::vector<uint8_t> fixed(data, data + size);
    uint32_t crc = sllm::crc32(fixed.data(), size - 4);
    for (int i = 0; i < 4; ++i) fixed[size - 4 + size_t(i)] = uint8_t(crc >> (8 * i));
    try_load(fixed.data(), fixed.size());
  }
  return 0;
}
