// safetensors_write.cpp: converting stored tensor values to f32 and writing safetensors files
// (safetensors.h).
#include <cstring>

#include "core/json.h"
#include "format/bfloat16.h"
#include "format/dtype.h"
#include "format/safetensors.h"

namespace sllm {

namespace {
inline uint16_t get_u16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
inline void put_u16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v), p[1] = uint8_t(v >> 8); }
}  // namespace

void st_to_f32(StType t, const uint8_t* src, size_t n, float* dst) {
  switch (t) {
    case StType::F32:
      std::memcpy(dst, src, n * 4);  // little-endian hosts only (x86, arm, wasm)
      return;
    case StType::F16:
      for (size_t i = 0; i < n; ++i) dst[i] = f16_to_f32(get_u16(src + 2 * i));
      return;
    case StType::BF16:
      for (size_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(get_u16(src + 2 * i));
      return;
    default:
      fail(ErrorCode::Format, std::string("tensor dtype ") + st_type_name(t) + " is not supported; sllm reads F32, F16 and BF16");
  }
}

std::vector<uint8_t> write_safetensors(const std::vector<StOut>& tensors,
                                       const std::vector<std::pair<std::string, std::string>>& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) {
    Json m = Json::object();
    for (const auto& [k, v] : metadata) m.set(k, v);
    header.set("__metadata__", std::move(m));
  }
  uint64_t at = 0;
  for (const StOut& t : tensors) {
    if (t.dtype != StType::F32 && t.dtype != StType::F16 && t.dtype != StType::BF16)
      fail(ErrorCode::InvalidArgument, std::string("cannot write dtype ") + st_type_name(t.dtype) + "; use F32, F16 or BF16");
    uint64_t numel = 1;
    Json shape = Json::array();
    for (int64_t d : t.shape) shape.push(d), numel *= uint64_t(d);
    const uint64_t bytes = numel * st_type_bytes(t.dtype);
    Json e = Json::object();
    e.set("dtype", st_type_name(t.dtype));
    e.set("shape", std::move(shape));
    Json off = Json::array();
    off.push(at);
    off.push(at + bytes);
    e.set("data_offsets", std::move(off));
    if (t.name == "__metadata__" || header.find(t.name)) fail(ErrorCode::InvalidArgument, "tensor name \"" + t.name + "\" is used twice or reserved");
    header.set(t.name, std::move(e));
    at += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::vector<uint8_t> out(8 + text.size() + at);
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) out[size_t(i)] = uint8_t(n >> (8 * i));
  std::memcpy(out.data() + 8, text.data(), text.size());
  uint8_t* p = out.data() + 8 + text.size();
  std::vector<float> scratch;
  for (const StOut& t : tensors) {
    uint64_t numel = 1;
    for (int64_t d : t.shape) numel *= uint64_t(d);
    const float* values = t.data;
    if (!values) {
      if (t.dtype == StType::F32 && reinterpret_cast<uintptr_t>(p) % alignof(float) == 0) {  // made in place
        t.fill(reinterpret_cast<float*>(p));
        p += numel * 4;
        continue;
      }
      scratch.resize(size_t(numel));
      t.fill(scratch.data());
      values = scratch.data();
    }
    if (t.dtype == StType::F32) {
      std::memcpy(p, values, numel * 4);
      p += numel * 4;
    } else {
      for (uint64_t i = 0; i < numel; ++i, p += 2)
        put_u16(p, t.dtype == StType::F16 ? f32_to_f16(values[i]) : f32_to_bf16(values[i]));
    }
  }
  return out;
}

}  // namespace sllm
