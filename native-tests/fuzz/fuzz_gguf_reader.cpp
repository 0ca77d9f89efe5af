// fuzz_gguf_reader.cpp: libFuzzer harness for the GGUF reader. Each input is parsed as a GGUF
// container; when it parses, every metadata value is read through the typed accessors and every
// tensor's bytes are touched, and the file is imported as a model (which runs one forward pass
// and a few sampled tokens when it loads). Built and run by scripts/fuzz.sh (clang,
// -fsanitize=fuzzer,address,undefined).
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "format/gguf_reader.h"
#include "fuzz_gguf_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    sllm::GgufFile f = sllm::GgufFile::parse(data, size);
    volatile uint64_t sink = 0;
    for (const sllm::GgufKV& k : f.kvs()) {
      try {
        if (k.type == sllm::GgufType::String) sink = sink + f.string(k.key).size();
        else if (k.type == sllm::GgufType::Array && k.elem == sllm::GgufType::String)
          f.each_string(k.key, [&](size_t, std::string_view s) { sink = sink + s.size(); });
        else if (k.type == sllm::GgufType::Array && k.elem != sllm::GgufType::Array)
          f.each_number(k.key, [&](size_t, double x) { sink = sink + uint64_t(x != 0); });
        else if (k.type != sllm::GgufType::Array)
          sink = sink + uint64_t(f.number(k.key) != 0);
      } catch (const sllm::Error&) {  // bools are not numbers: a refusal, not a bug
      }
    }
    for (const sllm::GgufTensorInfo& t : f.tensors())
      if (t.nbytes) sink = sink + f.tensor_data(t)[0] + f.tensor_data(t)[t.nbytes - 1];
  } catch (const sllm::Error&) {
  }
  fuzz_gguf_model(data, size);
  return 0;
}
