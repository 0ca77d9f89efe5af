// kv_cache.cpp: DecodeState's KV cache (decode_state.h) in f32 or f16. The f32 cache is the
// rows the attention reads; an f16 cache keeps half the bytes and converts a layer's rows
// [0, pos) to f32 when a decode pass runs that layer (exactly: every f16 value is an f32), and
// rounds the new positions' keys and values to f16 when the pass is done with them.
#include <string>

#include "core/error.h"
#include "core/thread_pool.h"
#include "model/decode_state.h"

namespace sllm {

DecodeState::DecodeState(const ModelConfig& c, DType kv)
    : capacity(c.context_length), kv_dim(c.kv_heads * c.head_dim()), kv_dtype(kv), logits(size_t(c.vocab_size)) {
  if (kv != DType::F32 && kv != DType::F16)
    fail(ErrorCode::InvalidArgument, std::string("the KV cache can be f32 or f16, not ") + dtype_name(kv));
  const size_t layer = size_t(capacity) * size_t(kv_dim), all = size_t(c.layers) * layer;
  k.resize(kv == DType::F32 ? all : layer);
  v.resize(k.size());
  if (kv == DType::F16) {
    k16.resize(all);
    v16.resize(all);
  }
}

namespace {
float* layer_rows(std::vector<float>& f32, const std::vector<uint16_t>& f16, int l, int pos, int capacity, int kv_dim) {
  const size_t layer = size_t(capacity) * size_t(kv_dim);
  if (f16.empty()) return f32.data() + size_t(l) * layer;
  const uint8_t* h = reinterpret_cast<const uint8_t*>(f16.data() + size_t(l) * layer);
  parallel_for(0, int64_t(pos) * kv_dim, 1 << 14, [&](int64_t lo, int64_t hi) {
    decode_f16(f32.data() + lo, h + 2 * lo, size_t(hi - lo));  // exact: any split, the same values
  });
  return f32.data();
}
void store(std::vector<uint16_t>& f16, const std::vector<float>& f32, int l, int pos, int n, int capacity, int kv_dim) {
  const size_t first = size_t(pos) * size_t(kv_dim), count = size_t(n) * size_t(kv_dim);
  uint16_t* dst = f16.data() + size_t(l) * size_t(capacity) * size_t(kv_dim) + first;
  for (size_t i = 0; i < count; ++i) dst[i] = f32_to_f16(f32[first + i]);
}
}  // namespace

float* DecodeState::layer_keys(int l) { return layer_rows(k, k16, l, pos, capacity, kv_dim); }
float* DecodeState::layer_values(int l) { return layer_rows(v, v16, l, pos, capacity, kv_dim); }

void DecodeState::store_rows(int l, int n) {
  if (kv_dtype != DType::F16) return;
  store(k16, k, l, pos, n, capacity, kv_dim);
  store(v16, v, l, pos, n, capacity, kv_dim);
}

uint64_t DecodeState::cache_bytes() const {
  return kv_dtype == DType::F16 ? uint64_t(k16.size() + v16.size()) * 2 : uint64_t(k.size() + v.size()) * sizeof(float);
}

}  // namespace sllm
