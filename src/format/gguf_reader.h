// gguf_reader.h: the GGUF container (versions 2 and 3), read from untrusted bytes: the header,
// every metadata key/value (all value types, arrays of arrays included), the tensor infos and
// the place of each tensor's data. Every field is validated as it is read (counts, string
// lengths, value and array types, tensor names, dimensions, types, offsets, alignment,
// overlaps, sizes against the file) and a failure throws Error(Format) naming the field; the
// reader never reads past the bytes it is given. It copies nothing: keys, names and values
// are views into the caller's bytes, which must outlive the GgufFile. Its index takes at most
// the file's size plus 64 KiB (a file whose index would take more is refused as malformed).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sllm {

// GGUF's metadata value types (gguf.h's enum gguf_type).
enum class GgufType : uint32_t { U8 = 0, I8, U16, I16, U32, I32, F32, Bool, String, Array, U64, I64, F64 };
const char* gguf_type_name(GgufType t);

struct GgufKV {
  std::string_view key;
  GgufType type;
  GgufType elem = GgufType::U8;  // arrays: the element type
  uint64_t count = 1;            // arrays: the element count
  size_t at = 0;                 // offset in the file of the value (of an array's first element)
};

struct GgufTensorInfo {
  std::string_view name;
  uint32_t n_dims = 0;
  uint64_t ne[4] = {1, 1, 1, 1};  // ggml order: ne[0] is the innermost (contiguous) dimension
  uint32_t type = 0;              // ggml type id (format/ggml_types.h)
  uint64_t offset = 0;            // from the start of the data section
  uint64_t nbytes = 0;
  uint64_t numel() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
  std::vector<int64_t> shape() const;  // outermost first, as SLLM and numpy write shapes
};

class GgufFile {
 public:
  // Parses and validates the whole container. Throws Error(Format) "invalid GGUF file: ...".
  static GgufFile parse(const uint8_t* data, size_t size);

  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  uint64_t data_start() const { return data_start_; }

  const std::vector<GgufKV>& kvs() const { return kvs_; }
  const GgufKV* find(std::string_view key) const;  // nullptr when absent

  // Typed reads of scalar values; each throws Error(Format) naming the key when it is absent or
  // of another type. uint() accepts any integer type whose value is >= 0; number() any
  // integer or float type.
  std::string_view string(std::string_view key) const;
  uint64_t uint(std::string_view key) const;
  double number(std::string_view key) const;
  bool boolean(std::string_view key) const;
  // Arrays: the element count, and each element in order (strings, or numbers of any numeric
  // or bool type). Each throws Error(Format) naming the key when it is absent, not an array or
  // of the wrong element type.
  uint64_t array_count(std::string_view key) const;
  void each_string(std::string_view key, const std::function<void(size_t, std::string_view)>& f) const;
  void each_number(std::string_view key, const std::function<void(size_t, double)>& f) const;

  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  const GgufTensorInfo* find_tensor(std::string_view name) const;
  const uint8_t* tensor_data(const GgufTensorInfo& t) const { return data_ + data_start_ + t.offset; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  uint32_t version_ = 0, alignment_ = 32;
  uint64_t data_start_ = 0;
  std::vector<GgufKV> kvs_;
  std::vector<GgufTensorInfo> tensors_;
  std::vector<uint32_t> kv_order_, tensor_order_;  // indices sorted by key / by name

  const GgufKV& need(std::string_view key, GgufType type) const;
  const GgufKV& need_array(std::string_view key) const;
  friend class GgufParser;
};

}  // namespace sllm
