// fuzz_run_model.h: what the fuzz harnesses do with a file that loads: one forward pass and a few
// sampled tokens, so that a model the reader let through is also safe to run.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "format/sllm_file.h"
#include "generate/generator.h"

inline void fuzz_run_model(const sllm::LoadedFile& f) {
  const sllm::ModelConfig& c = f.model->config();
  std::vector<int32_t> tokens(size_t(std::min(c.context_length, 4)), 0);
  f.model->forward(tokens.data(), nullptr, 1, int(tokens.size()));
  sllm::SampleOptions so;
  so.max_new_tokens = 3;
  sllm::generate_ids(*f.model, {0}, so);
}
