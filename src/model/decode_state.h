// decode_state.h: what generation keeps for one sequence between Model::decode calls: the keys
// and values of every layer at every position so far (the KV cache, in f32 or f16), the
// position count, the logits of the last position, and scratch that the architecture's decode
// pass carves. An f16 cache halves the cache's memory; a decode pass converts the layer it runs
// to f32 rows (layer_rows) and stores the new positions back (store_rows): kv_cache.cpp.
#pragma once
#include <cstdint>
#include <vector>

#include "format/dtype.h"
#include "kernels/quant_kernels.h"
#include "model/config.h"

namespace sllm {

struct DecodeState {
  // kv_dtype: F32 or F16 (anything else throws Error(InvalidArgument)).
  explicit DecodeState(const ModelConfig& c, DType kv_dtype = DType::F32);

  int pos = 0;       // positions held (the next token goes at pos)
  int capacity;      // the model's context length
  int kv_dim;        // kv_heads * head_dim: the width of one layer's key (and value) row
  DType kv_dtype;
  std::vector<float> k, v;     // (layers, capacity, kv_dim); with an f16 cache, one layer's rows
  std::vector<uint16_t> k16, v16;  // the f16 cache (layers, capacity, kv_dim), or empty
  std::vector<float> logits;   // (vocab_size) of the last position decoded
  std::vector<float> scratch;  // the decode pass's buffers (resized as needed)
  LinearScratch linear;        // the linear layers' quantized activations (packed models)

  // Layer l's keys and values as f32 rows, positions [0, pos) filled: the f32 cache itself, or
  // the f16 cache's rows converted into k and v.
  float* layer_keys(int l);
  float* layer_values(int l);
  // After a decode pass wrote rows [pos, pos + n) of layer l (into layer_keys/values): an f16
  // cache stores them; an f32 cache holds them already.
  void store_rows(int l, int n);
  // Bytes of the cache (f32 or f16), and of the f32 rows an f16 cache converts into.
  uint64_t cache_bytes() const;
  uint64_t rows_bytes() const { return kv_dtype == DType::F16 ? uint64_t(k.size() + v.size()) * sizeof(float) : 0; }
};

}  // namespace sllm
