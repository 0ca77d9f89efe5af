// dtype.h: the SLLM tensor dtypes: f32, f16 (IEEE binary16), and ggml's block quantizations
// q8_0 (34 bytes per 32 values: f16 scale d, 32 x int8; value = d*q) and q4_0 (18 bytes per
// 32 values: f16 scale d, 16 bytes with value j in the low nibble of byte j and value j+16 in
// the high nibble; value = d*(nibble - 8)), byte for byte as ggml's quantize_row_*_ref.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sllm {

enum class DType { F32, F16, Q8_0, Q4_0 };
const char* dtype_name(DType t);

uint16_t f32_to_f16(float f);  // round to nearest even; overflow to inf; NaN stays NaN
float f16_to_f32(uint16_t h);

// Parses "f32" | "f16" | "q8_0" | "q4_0"; returns false for anything else.
bool dtype_from_name(const std::string& name, DType& out);
// Bytes for n values (n a multiple of 32 for the block types). Returns 0 on overflow.
uint64_t dtype_nbytes(DType t, uint64_t n);
constexpr int kQuantBlock = 32;

// A shape for messages: "[768, 2304]".
std::string shape_str(const std::vector<int64_t>& shape);

// Encodes n f32 values into dst (dtype_nbytes(t, n) bytes), little-endian.
void encode_tensor(DType t, const float* src, size_t n, uint8_t* dst);
// Decodes n values from src (dtype_nbytes(t, n) bytes) into f32.
void decode_tensor(DType t, const uint8_t* src, size_t n, float* dst);

}  // namespace sllm
