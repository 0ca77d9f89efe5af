// fuzz_hf_tokenizer.cpp: libFuzzer harness for the Hugging Face tokenizer.json import. Each
// input is read as tokenizer.json (with no tokenizer_config.json); when it imports, it encodes
// and decodes a short text with special tokens on, and exports again. Built and run by
// scripts/fuzz-hf.sh.
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "tokenizer/hf_tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto tok = sllm::tokenizer_from_hf(std::string_view(reinterpret_cast<const char*>(data), size), nullptr);
    auto ids = tok->encode("Hello, world! 123 <|endoftext|>\n\n  x", true);
    tok->decode(ids);
    sllm::tokenizer_to_hf(*tok);
  } catch (const sllm::Error& e) {
    if (e.code() == sllm::ErrorCode::Internal) __builtin_trap();
  }
  return 0;
}
