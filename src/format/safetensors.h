// safetensors.h: Hugging Face's safetensors files: an 8-byte little-endian header length N, N
// bytes of JSON ({"__metadata__": {string: string}, "<name>": {"dtype", "shape",
// "data_offsets": [begin, end]}, ...}, maybe padded with spaces), then the data, which the
// tensors cover exactly (no holes, no overlaps, no unused bytes; offsets from the data's start).
//
// The reader is for untrusted files: it checks every rule of the format (and every field) and
// throws Error(Format) "invalid safetensors file <name>: <the problem>", never reading or
// allocating past what the file holds; the header is at most 100 MB, as the reference
// implementation requires. It reads only the header; tensors are read one at a time by the
// caller (hf_model.h), so a checkpoint is never copied whole.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/byte_source.h"

namespace sllm {

// The format's dtypes (all of them, so any valid file's header reads; converting to f32 is
// limited to F32, F16 and BF16).
enum class StType : uint8_t { BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64 };
const char* st_type_name(StType t);
size_t st_type_bytes(StType t);

inline constexpr uint64_t kMaxSafetensorsHeader = 100'000'000;

struct StTensor {
  std::string name;
  StType dtype = StType::F32;
  std::vector<int64_t> shape;  // outermost first; [] is a scalar
  uint64_t begin = 0, end = 0; // data_offsets
  uint64_t numel() const;
};

struct StHeader {
  uint64_t data_start = 0;     // 8 + N: where offsets count from
  std::vector<StTensor> tensors;  // in the header's order
  std::vector<std::pair<std::string, std::string>> metadata;  // "__metadata__"
  const StTensor* find(std::string_view name) const;  // nullptr when absent

  std::vector<uint32_t> by_name;  // indices into tensors, sorted by name (for find)
};

// Reads and validates the header of `file`; `file_name` names it in errors.
StHeader read_safetensors_header(const ByteSource& file, const std::string& file_name);
// The same from the header's JSON text, for a file whose data part is data_bytes long.
StHeader parse_safetensors_header(std::string_view json, uint64_t data_bytes, const std::string& file_name);

// Converts n values stored as t (F32, F16 or BF16, little-endian) to f32. Throws Error(Format)
// naming the dtype for the others.
void st_to_f32(StType t, const uint8_t* src, size_t n, float* dst);

// One tensor to write: f32 values converted to dtype (F32, F16 or BF16), either given (data) or
// made on demand into a scratch buffer of numel floats (fill), so a converted model is never
// held twice.
struct StOut {
  std::string name;
  StType dtype = StType::F32;
  std::vector<int64_t> shape;
  const float* data = nullptr;  // numel values, row-major
  std::function<void(float*)> fill;  // used when data is null
};

// A whole safetensors file: the header (padded with spaces to a multiple of 8 bytes, as the
// reference writer does), then the tensors in the given order, back to back. Memory: the file
// plus one scratch tensor.
std::vector<uint8_t> write_safetensors(const std::vector<StOut>& tensors,
                                       const std::vector<std::pair<std::string, std::string>>& metadata = {});

}  // namespace sllm
