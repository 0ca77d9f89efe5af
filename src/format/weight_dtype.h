// weight_dtype.h: the one rule for which dtype each parameter is written in, shared by the
// SLLM and GGUF writers (docs/sllm-format.md explains the choice).
#pragma once
#include "format/dtype.h"
#include "model/layout.h"

namespace sllm {

// The dtype parameter t is written in when the weights are asked for in `requested`: norms and
// biases (1-D) stay f32; embeddings (and an untied output head) are f32/f16 as asked and q8_0
// when quantizing to either q8_0 or q4_0; block types need rows that are a multiple of 32
// values, other rows fall back to f16.
DType weight_dtype(const ParamTensor& t, DType requested);

}  // namespace sllm
