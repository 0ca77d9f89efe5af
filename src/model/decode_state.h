// decode_state.h: what generation keeps for one sequence between Model::decode calls: the keys
// and values of every layer at every position so far (the KV cache), the position count, the
// logits of the last position, and scratch that the architecture's decode pass carves.
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/quant_kernels.h"
#include "model/config.h"

namespace sllm {

struct DecodeState {
  explicit DecodeState(const ModelConfig& c)
      : capacity(c.context_length),
        kv_dim(c.kv_heads * c.head_dim()),
        k(size_t(c.layers) * size_t(capacity) * size_t(kv_dim)),
        v(k.size()),
        logits(size_t(c.vocab_size)) {}

  int pos = 0;       // positions held (the next token goes at pos)
  int capacity;      // the model's context length
  int kv_dim;        // kv_heads * head_dim: the width of one layer's key (and value) row
  std::vector<float> k, v;     // (layers, capacity, kv_dim)
  std::vector<float> logits;   // (vocab_size) of the last position decoded
  std::vector<float> scratch;  // the decode pass's buffers (resized as needed)
  LinearScratch linear;        // the linear layers' quantized activations (packed models)

  float* k_layer(int l) { return k.data() + size_t(l) * size_t(capacity) * size_t(kv_dim); }
  float* v_layer(int l) { return v.data() + size_t(l) * size_t(capacity) * size_t(kv_dim); }
  uint64_t cache_bytes() const { return uint64_t(k.size() + v.size()) * sizeof(float); }
};

}  // namespace sllm
