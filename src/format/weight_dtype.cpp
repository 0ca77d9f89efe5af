// weight_dtype.cpp: see weight_dtype.h.
#include "format/weight_dtype.h"

namespace sllm {

// Embeddings are the model's input and output, where 4 bits cost the most quality for the
// fewest bytes (llama.cpp's Q4_0 files make the same choice for the output layer).
DType weight_dtype(const ParamTensor& t, DType requested) {
  if (t.shape.size() != 2 || requested == DType::F32) return t.shape.size() == 2 ? requested : DType::F32;
  const bool embedding = t.name == "token_embd.weight" || t.name == "position_embd.weight" || t.name == "output.weight";
  DType d = embedding && requested == DType::Q4_0 ? DType::Q8_0 : requested;
  if ((d == DType::Q8_0 || d == DType::Q4_0) && t.shape.back() % kQuantBlock != 0) d = DType::F16;
  return d;
}

}  // namespace sllm
