// embedding.cpp: token (+ learned position) embedding lookup, forward and backward.
#include <cstring>

#include "kernels/kernels.h"

namespace sllm {

void encoder_forward(float* out, const int32_t* tokens, const float* wte, const float* wpe, int B, int T, int C,
                     int pos0) {
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      const size_t row = size_t(b) * T + t;
      const float* e = wte + size_t(tokens[row]) * C;
      if (wpe) residual_forward(out + row * C, e, wpe + size_t(pos0 + t) * C, size_t(C));
      else std::memcpy(out + row * C, e, sizeof(float) * size_t(C));
    }
}

void encoder_backward(float* dwte, float* dwpe, const float* dout, const int32_t* tokens, int B, int T, int C) {
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      const size_t row = size_t(b) * T + t;
      const float* d = dout + row * C;
      add_inplace(dwte + size_t(tokens[row]) * C, d, size_t(C));
      if (dwpe) add_inplace(dwpe + size_t(t) * C, d, size_t(C));
    }
}

}  // namespace sllm
