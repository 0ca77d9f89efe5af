// ggml_types.h: ggml's tensor types as GGUF files number them (ggml.h's enum ggml_type): each
// one's name, block size (values per block) and bytes per block, so a GGUF reader can check
// the size of every tensor, including types sllm does not compute with.
#pragma once
#include <cstdint>
#include <string>

#include "format/dtype.h"

namespace sllm {

enum class GgmlType : uint32_t { F32 = 0, F16 = 1, Q4_0 = 2, Q8_0 = 8, BF16 = 30 };

struct GgmlTypeInfo {
  uint32_t id;
  const char* name;  // as llama.cpp prints it: "f32", "q8_0", "q4_K", ...
  uint32_t block;    // values per block
  uint32_t bytes;    // bytes per block
};

// The type with this id, or nullptr when ggml has no such type.
const GgmlTypeInfo* ggml_type_info(uint32_t id);
// "type 12 (q4_K)" or "unknown type 99", for messages.
std::string ggml_type_label(uint32_t id);
// The ggml type of an SLLM dtype (they share the block layouts byte for byte).
GgmlType ggml_type_of(DType d);
// The SLLM dtype of a ggml type sllm reads; false for the others (BF16 is read but has no dtype).
bool dtype_of_ggml(uint32_t id, DType& out);

}  // namespace sllm
