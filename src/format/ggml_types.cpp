// ggml_types.cpp: the table of ggml tensor types (block sizes as ggml's type traits).
#include "format/ggml_types.h"

namespace sllm {

namespace {
constexpr uint32_t K = 256;  // QK_K, the super-block of the k-quants
const GgmlTypeInfo kTypes[] = {
    {0, "f32", 1, 4},        {1, "f16", 1, 2},        {2, "q4_0", 32, 18},         {3, "q4_1", 32, 20},
    {6, "q5_0", 32, 22},     {7, "q5_1", 32, 24},     {8, "q8_0", 32, 34},         {9, "q8_1", 32, 40},
    {10, "q2_K", K, 84},     {11, "q3_K", K, 110},    {12, "q4_K", K, 144},        {13, "q5_K", K, 176},
    {14, "q6_K", K, 210},    {15, "q8_K", K, 292},    {16, "iq2_xxs", K, 66},      {17, "iq2_xs", K, 74},
    {18, "iq3_xxs", K, 98},  {19, "iq1_s", K, 50},    {20, "iq4_nl", 32, 18},      {21, "iq3_s", K, 110},
    {22, "iq2_s", K, 82},    {23, "iq4_xs", K, 136},  {24, "i8", 1, 1},            {25, "i16", 1, 2},
    {26, "i32", 1, 4},       {27, "i64", 1, 8},       {28, "f64", 1, 8},           {29, "iq1_m", K, 56},
    {30, "bf16", 1, 2},      {34, "tq1_0", K, 54},    {35, "tq2_0", K, 66},        {39, "mxfp4", 32, 17},
};
}  // namespace

const GgmlTypeInfo* ggml_type_info(uint32_t id) {
  for (const GgmlTypeInfo& t : kTypes)
    if (t.id == id) return &t;
  return nullptr;
}

std::string ggml_type_label(uint32_t id) {
  const GgmlTypeInfo* t = ggml_type_info(id);
  return t ? "type " + std::to_string(id) + " (" + t->name + ")" : "unknown type " + std::to_string(id);
}

GgmlType ggml_type_of(DType d) {
  switch (d) {
    case DType::F32: return GgmlType::F32;
    case DType::F16: return GgmlType::F16;
    case DType::Q8_0: return GgmlType::Q8_0;
    case DType::Q4_0: return GgmlType::Q4_0;
  }
  return GgmlType::F32;
}

bool dtype_of_ggml(uint32_t id, DType& out) {
  switch (GgmlType(id)) {
    case GgmlType::F32: out = DType::F32; return true;
    case GgmlType::F16: out = DType::F16; return true;
    case GgmlType::Q8_0: out = DType::Q8_0; return true;
    case GgmlType::Q4_0: out = DType::Q4_0; return true;
    default: return false;
  }
}

}  // namespace sllm
