// fuzz_gguf_model.h: the GGUF harness's model import: a file that imports runs one forward pass
// and a few sampled tokens, and is exported again.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "format/gguf_model.h"
#include "generate/generator.h"

inline void fuzz_gguf_model(const uint8_t* data, size_t size) {
  try {
    sllm::LoadedFile f = sllm::load_gguf(data, size);
    const sllm::ModelConfig& c = f.model->config();
    std::vector<int32_t> tokens(size_t(std::min(c.context_length, 4)), 0);
    f.model->forward(tokens.data(), nullptr, 1, int(tokens.size()));
    sllm::SampleOptions so;
    so.max_new_tokens = 3;
    sllm::generate_ids(*f.model, {0}, so);
    f.tokenizer->decode(f.tokenizer->encode("To be, or not to be"));
    sllm::save_gguf(*f.model, *f.tokenizer);
  } catch (const sllm::Error&) {
  }
}
