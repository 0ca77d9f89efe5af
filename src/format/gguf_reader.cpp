// gguf_reader.cpp: validates and indexes a GGUF v2/v3 container (see gguf_reader.h). The checks
// follow ggml's own reader (gguf.cpp) and add what it leaves to the caller: value types of
// known keys, UTF-8 keys and names, bool values, overlapping tensors and sizes against the file.
#include "format/gguf_reader.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/utf8.h"
#include "format/ggml_types.h"

namespace sllm {

namespace {

[[noreturn]] void bad(const std::string& msg) { fail(ErrorCode::Format, "invalid GGUF file: " + msg); }

constexpr int kMaxArrayDepth = 8;
constexpr size_t kMaxName = 63;
// The index may take the file's size plus this (a small file's few entries cost more to index
// than their bytes; a large file's metadata is mostly long arrays, which cost nothing).
constexpr size_t kIndexSlack = 64 << 10;  // ggml's GGML_MAX_NAME (64) with its terminating zero

size_t value_size(GgufType t) {
  switch (t) {
    case GgufType::U8: case GgufType::I8: case GgufType::Bool: return 1;
    case GgufType::U16: case GgufType::I16: return 2;
    case GgufType::U32: case GgufType::I32: case GgufType::F32: return 4;
    case GgufType::U64: case GgufType::I64: case GgufType::F64: return 8;
    default: return 0;  // strings and arrays vary
  }
}

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);  // GGUF is little-endian, as every platform sllm runs on
  return v;
}

}  // namespace

const char* gguf_type_name(GgufType t) {
  static const char* names[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"};
  return uint32_t(t) <= 12 ? names[uint32_t(t)] : "unknown";
}

// Reads the container front to back with a cursor that never passes the end.
class GgufParser {
 public:
  GgufParser(const uint8_t* d, size_t n) : d_(d), n_(n) {}

  GgufFile run() {
    GgufFile f;
    f.data_ = d_;
    f.size_ = n_;
    if (n_ < 24) bad("the file is " + std::to_string(n_) + " bytes; a GGUF file has at least 24 (truncated?)");
    if (std::memcmp(d_, "GGUF", 4) != 0) bad("bad magic: this is not a GGUF file");
    pos_ = 4;
    f.version_ = u32("version");
    if ((f.version_ & 0xFFFF) == 0 && f.version_ != 0)
      bad("version " + std::to_string(f.version_) + ": the file is big-endian; this build reads little-endian GGUF");
    if (f.version_ == 1) fail(ErrorCode::Format, "GGUF version 1 is not supported (it predates llama.cpp's current format); reconvert the model");
    if (f.version_ != 2 && f.version_ != 3)
      fail(ErrorCode::Format, "unsupported GGUF version " + std::to_string(f.version_) + "; this build reads 2 and 3");
    const uint64_t n_tensors = u64("tensor count"), n_kv = u64("metadata count");
    // Each entry takes at least 14 (metadata) or 33 (tensor info) bytes of the file.
    if (n_kv > (n_ - pos_) / 14) bad("metadata count " + std::to_string(n_kv) + " is more than the file can hold");
    if (n_tensors > (n_ - pos_) / 33) bad("tensor count " + std::to_string(n_tensors) + " is more than the file can hold");
    if (n_kv * sizeof(GgufKV) + n_tensors * sizeof(GgufTensorInfo) > n_ + kIndexSlack)
      bad(std::to_string(n_kv) + " metadata entries and " + std::to_string(n_tensors) +
          " tensors would take more memory to index than the file's size (plus 64 KiB)");
    f.kvs_.reserve(size_t(n_kv));
    for (uint64_t i = 0; i < n_kv; ++i) f.kvs_.push_back(kv(i));
    f.kv_order_ = sorted(f.kvs_, [](const GgufKV& k) { return k.key; }, "metadata key");
    if (const GgufKV* a = f.find("general.alignment")) {
      if (a->type != GgufType::U32) bad("\"general.alignment\" must be a u32, not " + std::string(gguf_type_name(a->type)));
      f.alignment_ = load<uint32_t>(d_ + a->at);
      if (f.alignment_ == 0 || (f.alignment_ & (f.alignment_ - 1)) != 0)
        bad("\"general.alignment\" " + std::to_string(f.alignment_) + " is not a power of two");
    }
    f.tensors_.reserve(size_t(n_tensors));
    for (uint64_t i = 0; i < n_tensors; ++i) f.tensors_.push_back(tensor_info(i, f.alignment_));
    f.tensor_order_ = sorted(f.tensors_, [](const GgufTensorInfo& t) { return t.name; }, "tensor name");
    const uint64_t A = f.alignment_;
    f.data_start_ = n_tensors > 0 ? (pos_ + A - 1) / A * A : pos_;
    if (f.data_start_ > n_) bad("the data section starts past the end of the file (truncated?)");
    const uint64_t data_size = n_ - f.data_start_;
    std::vector<uint32_t> by_offset(f.tensors_.size());
    for (size_t i = 0; i < by_offset.size(); ++i) by_offset[i] = uint32_t(i);
    std::sort(by_offset.begin(), by_offset.end(), [&](uint32_t a, uint32_t b) { return f.tensors_[a].offset < f.tensors_[b].offset; });
    uint64_t end = 0;
    for (size_t k = 0; k < by_offset.size(); ++k) {
      const GgufTensorInfo& t = f.tensors_[by_offset[k]];
      const std::string where = "tensor \"" + std::string(t.name) + "\"";
      if (t.offset > data_size || t.nbytes > data_size - t.offset)
        bad(where + ": its data runs past the end of the file (truncated?)");
      if (k > 0 && t.offset < end)
        bad(where + " overlaps tensor \"" + std::string(f.tensors_[by_offset[k - 1]].name) + "\"");
      end = t.offset + t.nbytes;
    }
    // ggml writes each tensor padded to the alignment, the last one too.
    if (!by_offset.empty() && (end + A - 1) / A * A > data_size)
      bad("the data section ends before the padding after its last tensor (truncated?)");
    return f;
  }

 private:
  const uint8_t* d_;
  size_t n_, pos_ = 0;

  void need(uint64_t bytes, const std::string& what) {
    if (bytes > n_ - pos_) bad(what + " runs past the end of the file (truncated?)");
  }
  uint32_t u32(const std::string& what) {
    need(4, what);
    pos_ += 4;
    return load<uint32_t>(d_ + pos_ - 4);
  }
  uint64_t u64(const std::string& what) {
    need(8, what);
    pos_ += 8;
    return load<uint64_t>(d_ + pos_ - 8);
  }
  std::string_view str(const std::string& what) {
    const uint64_t len = u64(what + "'s length");
    need(len, what);
    std::string_view s(reinterpret_cast<const char*>(d_) + pos_, size_t(len));
    pos_ += size_t(len);
    return s;
  }
  GgufType type(const std::string& what) {
    const uint32_t t = u32(what);
    if (t > 12) bad(what + " " + std::to_string(t) + " is not a GGUF value type");
    return GgufType(t);
  }

  // Validates one value of type t at the cursor and moves past it.
  void value(GgufType t, const std::string& what, int depth) {
    if (t == GgufType::String) {
      str(what);
    } else if (t == GgufType::Array) {
      if (depth >= kMaxArrayDepth) bad(what + ": arrays nested more than " + std::to_string(kMaxArrayDepth) + " deep");
      const GgufType elem = type(what + "'s element type");
      const uint64_t count = u64(what + "'s element count");
      array(elem, count, what, depth + 1);
    } else {
      need(value_size(t), what);
      if (t == GgufType::Bool && d_[pos_] > 1) bad(what + " is a bool of value " + std::to_string(d_[pos_]) + ", not 0 or 1");
      pos_ += value_size(t);
    }
  }
  void array(GgufType elem, uint64_t count, const std::string& what, int depth) {
    const size_t least = elem == GgufType::String ? 8 : elem == GgufType::Array ? 12 : value_size(elem);
    if (count > (n_ - pos_) / least) bad(what + ": " + std::to_string(count) + " elements run past the end of the file (truncated?)");
    if (elem != GgufType::String && elem != GgufType::Array && elem != GgufType::Bool) {
      pos_ += size_t(count) * least;
      return;
    }
    for (uint64_t i = 0; i < count; ++i) value(elem, what + "[" + std::to_string(i) + "]", depth);
  }

  GgufKV kv(uint64_t i) {
    const std::string where = "metadata entry " + std::to_string(i);
    GgufKV k;
    k.key = str(where + "'s key");
    if (k.key.empty()) bad(where + " has an empty key");
    if (!utf8_valid(k.key)) bad(where + "'s key is not valid UTF-8");
    const std::string what = "metadata \"" + std::string(k.key) + "\"";
    k.type = type(what + "'s value type");
    if (k.type == GgufType::Array) {
      k.elem = type(what + "'s element type");
      k.count = u64(what + "'s element count");
      k.at = pos_;
      array(k.elem, k.count, what, 1);
    } else {
      k.at = pos_;
      value(k.type, what, 0);
    }
    return k;
  }

  GgufTensorInfo tensor_info(uint64_t i, uint64_t alignment) {
    std::string where = "tensor info " + std::to_string(i);
    GgufTensorInfo t;
    t.name = str(where + "'s name");
    if (t.name.empty()) bad(where + " has an empty name");
    if (t.name.size() > kMaxName) bad(where + "'s name is " + std::to_string(t.name.size()) + " bytes; ggml allows 63");
    if (!utf8_valid(t.name)) bad(where + "'s name is not valid UTF-8");
    where = "tensor \"" + std::string(t.name) + "\"";
    t.n_dims = u32(where + "'s dimension count");
    if (t.n_dims < 1 || t.n_dims > 4) bad(where + " has " + std::to_string(t.n_dims) + " dimensions; ggml allows 1 to 4");
    uint64_t numel = 1;
    for (uint32_t j = 0; j < t.n_dims; ++j) {
      t.ne[j] = u64(where + "'s dimension " + std::to_string(j));
      if (t.ne[j] == 0 || t.ne[j] > (uint64_t(1) << 62) / numel)
        bad(where + ": dimension " + std::to_string(j) + " is " + std::to_string(t.ne[j]) + " (each must be >= 1, all together < 2^62)");
      numel *= t.ne[j];
    }
    t.type = u32(where + "'s type");
    const GgmlTypeInfo* info = ggml_type_info(t.type);
    if (!info) bad(where + " has " + ggml_type_label(t.type) + ", which ggml does not define");
    if (t.ne[0] % info->block != 0)
      bad(where + " of type " + info->name + " has rows of " + std::to_string(t.ne[0]) +
          " values, not a multiple of its block of " + std::to_string(info->block));
    if (numel / info->block > (uint64_t(1) << 62) / info->bytes) bad(where + " is too large");
    t.nbytes = numel / info->block * info->bytes;  // checked against the file once the data section is known
    t.offset = u64(where + "'s offset");
    if (t.offset % alignment != 0)
      bad(where + ": offset " + std::to_string(t.offset) + " is not a multiple of the alignment " + std::to_string(alignment));
    return t;
  }

  // Indices of items sorted by name; throws naming the first repeated name.
  template <typename T, typename Name>
  std::vector<uint32_t> sorted(const std::vector<T>& items, Name name, const char* what) {
    std::vector<uint32_t> order(items.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = uint32_t(i);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return name(items[a]) < name(items[b]); });
    for (size_t i = 1; i < order.size(); ++i)
      if (name(items[order[i]]) == name(items[order[i - 1]]))
        bad(std::string(what) + " \"" + std::string(name(items[order[i]])) + "\" appears twice");
    return order;
  }
};

GgufFile GgufFile::parse(const uint8_t* data, size_t size) { return GgufParser(data, size).run(); }

std::vector<int64_t> GgufTensorInfo::shape() const {
  std::vector<int64_t> s;
  for (uint32_t j = n_dims; j-- > 0;) s.push_back(int64_t(ne[j]));
  return s;
}

const GgufKV* GgufFile::find(std::string_view key) const {
  auto it = std::lower_bound(kv_order_.begin(), kv_order_.end(), key,
                             [&](uint32_t a, std::string_view k) { return kvs_[a].key < k; });
  return it != kv_order_.end() && kvs_[*it].key == key ? &kvs_[*it] : nullptr;
}

const GgufTensorInfo* GgufFile::find_tensor(std::string_view name) const {
  auto it = std::lower_bound(tensor_order_.begin(), tensor_order_.end(), name,
                             [&](uint32_t a, std::string_view k) { return tensors_[a].name < k; });
  return it != tensor_order_.end() && tensors_[*it].name == name ? &tensors_[*it] : nullptr;
}

}  // namespace sllm
