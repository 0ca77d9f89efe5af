// fuzz_gguf_model.h: the GGUF harness's model import: a file that imports runs one forward pass
// and a few sampled tokens, and is exported again.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "format/gguf_model.h"
#include "fuzz_run_model.h"

inline void fuzz_gguf_model(const uint8_t* data, size_t size) {
  try {
    sllm::LoadedFile f = sllm::load_gguf(data, size);
    fuzz_run_model(f);
    f.tokenizer->decode(f.tokenizer->encode("To be, or not to be"));
    sllm::save_gguf(*f.model, *f.tokenizer);
  } catch (const sllm::Error&) {
  }
}
