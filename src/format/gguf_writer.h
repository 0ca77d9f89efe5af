// gguf_writer.h: writes GGUF version 3 files: metadata key/values (scalars, strings and arrays
// of them) and tensors, laid out as ggml writes them (tensor data in order, each at an offset
// that is a multiple of 32 bytes and padded to it, the last one too). Tensor data is encoded
// straight into the output, so writing takes about the file's size in memory.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "format/gguf_reader.h"

namespace sllm {

class GgufWriter {
 public:
  static constexpr uint32_t kAlignment = 32;  // GGUF's default: no general.alignment key needed

  // Each add_* throws Error(InvalidArgument) when the key was added before.
  void add_string(std::string_view key, std::string_view value);
  void add_u32(std::string_view key, uint32_t value);
  void add_i32(std::string_view key, int32_t value);
  void add_f32(std::string_view key, float value);
  void add_bool(std::string_view key, bool value);
  void add_strings(std::string_view key, const std::vector<std::string>& values);
  void add_f32s(std::string_view key, const std::vector<float>& values);
  void add_i32s(std::string_view key, const std::vector<int32_t>& values);

  // A tensor of shape (outermost first, as SLLM and numpy write it) and ggml type; fill writes
  // its bytes (as many as the type and shape need) when the file is assembled.
  void add_tensor(std::string_view name, const std::vector<int64_t>& shape, uint32_t ggml_type,
                  std::function<void(uint8_t* dst)> fill);

  // The whole file. The writer is spent afterwards.
  std::vector<uint8_t> finish();

 private:
  struct Tensor {
    std::string name;
    std::vector<int64_t> shape;
    uint32_t type;
    uint64_t nbytes, offset;
    std::function<void(uint8_t*)> fill;
  };
  std::vector<uint8_t> kv_;
  uint64_t n_kv_ = 0, data_size_ = 0;
  std::vector<std::string> keys_;
  std::vector<Tensor> tensors_;

  void key(std::string_view k, GgufType t);
  void put_str(std::vector<uint8_t>& out, std::string_view s);
  template <typename T>
  void put(std::vector<uint8_t>& out, T v);
};

}  // namespace sllm
