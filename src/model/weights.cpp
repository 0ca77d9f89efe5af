// weights.cpp: the parts of Model (model.h) that hold weights in a file's dtype for inference:
// building a packed model (its matrices and embeddings stay in the file's bytes as weight
// views, the norms and biases go to a small f32 slab), the views the passes read, the memory
// they take, and converting everything to the full f32 slab when training starts.
#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "core/error.h"
#include "generate/decoder.h"
#include "model/architecture.h"
#include "model/model.h"

namespace sllm {

namespace {

constexpr uint64_t kNotInSlab = std::numeric_limits<uint64_t>::max();

bool host_is_little_endian() {
  const uint16_t one = 1;
  uint8_t first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

std::string mib(uint64_t bytes) { return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB"; }

}  // namespace

void check_weights_fit(const ModelConfig& c, uint64_t n) {
  const uint64_t limit = sizeof(size_t) < 8 ? (uint64_t(1) << 31) : std::numeric_limits<uint64_t>::max() / 8;
  if (n * 4 > limit || n > limit)
    fail(ErrorCode::OutOfMemory,
         "out of memory: the model's " + std::to_string(c.param_count()) + " weights need " + mib(n * 4) +
             " as f32, more than this build can hold (WebAssembly has 4 GiB, at most 2 GiB in one array); "
             "keep it quantized and use it for generation only, or use a smaller model");
}

std::unique_ptr<Model> Model::create_packed(const ModelConfig& config, std::vector<ParamTensor> layout,
                                            const std::vector<TensorBytes>& tensors,
                                            std::shared_ptr<const void> backing) {
  config.validate();
  if (layout.empty() || layout_floats(layout) != config.param_count() || tensors.size() != layout.size())
    fail(ErrorCode::Config, "the given tensor layout is not the config's");
  const ModelPacking packing{&tensors, std::move(backing)};
  return architecture(config.arch).make(config, std::move(layout), &packing);
}

void Model::hold_packed(const ModelPacking& packing) {
  const std::vector<TensorBytes>& in = *packing.tensors;
  const bool in_place_f32 = host_is_little_endian();
  packed_.assign(tensors_.size(), WeightView{});
  slab_offset_.assign(tensors_.size(), kNotInSlab);
  uint64_t slab = 0;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const ParamTensor& t = tensors_[i];
    const TensorBytes& b = in[i];
    const bool f32_ok = in_place_f32 && reinterpret_cast<uintptr_t>(b.data) % 4 == 0;
    if (t.shape.size() == 2 && (b.dtype != DType::F32 || f32_ok)) {
      packed_[i] = make_weight_view(b.dtype, b.data, int(t.shape[0]), int(t.shape[1]), t.name.c_str());
    } else {
      slab_offset_[i] = slab;
      slab += t.numel;
    }
  }
  params_.assign(size_t(slab), 0.0f);
  for (size_t i = 0; i < tensors_.size(); ++i)
    if (slab_offset_[i] != kNotInSlab)
      decode_tensor(in[i].dtype, in[i].data, size_t(tensors_[i].numel), params_.data() + slab_offset_[i]);
  backing_ = packing.backing;
}

const float* Model::f32_slab(std::vector<float>& full) const {
  if (!packed()) return params_.data();
  const uint64_t n = layout_floats(tensors_);
  check_weights_fit(cfg_, n);
  full.assign(static_cast<size_t>(n), 0.0f);
  for (size_t i = 0; i < tensors_.size(); ++i) {
    float* dst = full.data() + tensors_[i].offset;
    if (slab_offset_[i] == kNotInSlab)
      decode_tensor(packed_[i].dtype, packed_[i].data, size_t(tensors_[i].numel), dst);
    else
      std::memcpy(dst, params_.data() + slab_offset_[i], size_t(tensors_[i].numel) * sizeof(float));
  }
  return full.data();
}

void Model::unpack() {
  if (!packed()) return;
  std::vector<float> full;
  f32_slab(full);
  params_.swap(full);
  packed_.clear();
  slab_offset_.clear();
  backing_.reset();
  on_weights_moved();
}

MemoryEstimate inference_memory(const Model& m, DType kv_cache) {
  const ModelConfig& c = m.config();
  MemoryEstimate e = inference_memory(c);
  e.weights = m.weight_bytes();
  if (kv_cache == DType::F16) {  // half the cache, plus one layer of f32 rows
    e.kv_cache /= 2;
    e.scratch += e.kv_cache * 2 / uint64_t(c.layers);
  }
  if (m.packed()) {  // LinearScratch: an f32 scale and 32 int16 per block of the widest input
    const uint64_t rows = uint64_t(std::min(c.context_length, Decoder::kPrefillChunk));
    const uint64_t K = uint64_t(std::max(c.dim, c.ffn_dim));
    e.scratch += rows * (K / kQuantBlock * 4 + K * 2);
  }
  return e;
}

uint64_t Model::weight_bytes() const {
  uint64_t bytes = uint64_t(params_.size()) * sizeof(float);
  for (const WeightView& v : packed_) bytes += v.data ? v.nbytes() : 0;
  return bytes;
}

float* Model::slab_tensor(float* base, size_t i) const {
  if (!packed()) return base + tensors_[i].offset;
  return slab_offset_[i] == kNotInSlab ? nullptr : base + slab_offset_[i];
}

const float* Model::tensor_f32(size_t i) const { return slab_tensor(const_cast<float*>(params_.data()), i); }

WeightView Model::weight(size_t i) const {
  if (packed() && packed_[i].data) return packed_[i];
  const ParamTensor& t = tensors_[i];
  const int rows = t.shape.size() == 2 ? int(t.shape[0]) : 1, cols = int(t.numel / uint64_t(rows));
  return make_weight_view(DType::F32, tensor_f32(i), rows, cols, t.name.c_str());
}

LinearWeight Model::linear_weight(size_t i, int count) const {
  LinearWeight w;
  if (!packed()) {  // adjacent in the slab: one f32 matrix
    w.part[0] = weight(i);
    for (int j = 1; j < count; ++j) w.part[0].rows += int(tensors_[i + size_t(j)].shape[0]);
    w.parts = 1;
    return w;
  }
  for (int j = 0; j < count; ++j) w.part[j] = weight(i + size_t(j));
  w.parts = count;
  return w;
}

}  // namespace sllm
