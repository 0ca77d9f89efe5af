// gguf_writer.cpp: see gguf_writer.h.
#include "format/gguf_writer.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "format/ggml_types.h"

namespace sllm {

template <typename T>
void GgufWriter::put(std::vector<uint8_t>& out, T v) {
  uint8_t b[sizeof(T)];
  std::memcpy(b, &v, sizeof v);  // little-endian hosts only, as the reader
  out.insert(out.end(), b, b + sizeof b);
}

void GgufWriter::put_str(std::vector<uint8_t>& out, std::string_view s) {
  put<uint64_t>(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

void GgufWriter::key(std::string_view k, GgufType t) {
  if (std::find(keys_.begin(), keys_.end(), k) != keys_.end())
    fail(ErrorCode::InvalidArgument, "GGUF metadata key \"" + std::string(k) + "\" written twice");
  keys_.emplace_back(k);
  put_str(kv_, k);
  put<uint32_t>(kv_, uint32_t(t));
  ++n_kv_;
}

void GgufWriter::add_string(std::string_view k, std::string_view v) { key(k, GgufType::String); put_str(kv_, v); }
void GgufWriter::add_u32(std::string_view k, uint32_t v) { key(k, GgufType::U32); put(kv_, v); }
void GgufWriter::add_i32(std::string_view k, int32_t v) { key(k, GgufType::I32); put(kv_, v); }
void GgufWriter::add_f32(std::string_view k, float v) { key(k, GgufType::F32); put(kv_, v); }
void GgufWriter::add_bool(std::string_view k, bool v) { key(k, GgufType::Bool); put<uint8_t>(kv_, v ? 1 : 0); }

void GgufWriter::add_strings(std::string_view k, const std::vector<std::string>& values) {
  key(k, GgufType::Array);
  put<uint32_t>(kv_, uint32_t(GgufType::String));
  put<uint64_t>(kv_, values.size());
  for (const std::string& s : values) put_str(kv_, s);
}

void GgufWriter::add_f32s(std::string_view k, const std::vector<float>& values) {
  key(k, GgufType::Array);
  put<uint32_t>(kv_, uint32_t(GgufType::F32));
  put<uint64_t>(kv_, values.size());
  for (float v : values) put(kv_, v);
}

void GgufWriter::add_i32s(std::string_view k, const std::vector<int32_t>& values) {
  key(k, GgufType::Array);
  put<uint32_t>(kv_, uint32_t(GgufType::I32));
  put<uint64_t>(kv_, values.size());
  for (int32_t v : values) put(kv_, v);
}

void GgufWriter::add_tensor(std::string_view name, const std::vector<int64_t>& shape, uint32_t type,
                            std::function<void(uint8_t*)> fill) {
  const GgmlTypeInfo* info = ggml_type_info(type);
  if (!info || shape.empty() || shape.size() > 4 || name.empty() || name.size() > 63)
    fail(ErrorCode::InvalidArgument, "cannot write GGUF tensor \"" + std::string(name) + "\"");
  uint64_t numel = 1;
  for (int64_t d : shape) numel *= uint64_t(d);
  if (shape.back() % int64_t(info->block) != 0)
    fail(ErrorCode::InvalidArgument, "GGUF tensor \"" + std::string(name) + "\": rows are not whole blocks of " + info->name);
  const uint64_t nbytes = numel / info->block * info->bytes;
  tensors_.push_back({std::string(name), shape, type, nbytes, data_size_, std::move(fill)});
  data_size_ += (nbytes + kAlignment - 1) / kAlignment * kAlignment;
}

std::vector<uint8_t> GgufWriter::finish() {
  std::vector<uint8_t> head;
  head.insert(head.end(), {'G', 'G', 'U', 'F'});
  put<uint32_t>(head, 3);
  put<uint64_t>(head, tensors_.size());
  put<uint64_t>(head, n_kv_);
  head.insert(head.end(), kv_.begin(), kv_.end());
  kv_ = std::vector<uint8_t>();
  for (const Tensor& t : tensors_) {
    put_str(head, t.name);
    put<uint32_t>(head, uint32_t(t.shape.size()));
    for (size_t j = t.shape.size(); j-- > 0;) put<uint64_t>(head, uint64_t(t.shape[j]));  // innermost first
    put<uint32_t>(head, t.type);
    put<uint64_t>(head, t.offset);
  }
  const size_t data_start = tensors_.empty() ? head.size() : (head.size() + kAlignment - 1) / kAlignment * kAlignment;
  std::vector<uint8_t> out = std::move(head);
  out.resize(data_start + data_size_, 0);
  for (Tensor& t : tensors_) {
    t.fill(out.data() + data_start + t.offset);
    t.fill = nullptr;
  }
  return out;
}

}  // namespace sllm
