// layout.cpp: see layout.h.
#include "model/layout.h"

#include <cmath>

#include "core/rng.h"

namespace sllm {

void LayoutBuilder::add(int layer, const char* name, std::initializer_list<int64_t> shape, Init init) {
  uint64_t n = 1;
  for (int64_t d : shape) n *= uint64_t(d);
  const bool decay = shape.size() == 2;
  std::string full = layer < 0 ? std::string(name) : "blk." + std::to_string(layer) + "." + name;
  tensors_.push_back(ParamTensor{std::move(full), std::vector<int64_t>(shape), offset_, n, decay, init});
  offset_ += n;
}

void init_params(float* params, const std::vector<ParamTensor>& layout, uint64_t seed, int layers) {
  Rng rng(seed);
  const float std_w = 0.02f;
  const float std_proj = 0.02f / std::sqrt(2.0f * float(layers));
  for (const auto& t : layout) {
    float* p = params + t.offset;
    switch (t.init) {
      case Init::Ones:
        for (size_t k = 0; k < t.numel; ++k) p[k] = 1.0f;
        break;
      case Init::Zeros:
        for (size_t k = 0; k < t.numel; ++k) p[k] = 0.0f;
        break;
      case Init::Normal:
      case Init::NormalResidual: {
        const float s = t.init == Init::Normal ? std_w : std_proj;
        for (size_t k = 0; k < t.numel; ++k) p[k] = s * rng.normal();
        break;
      }
    }
  }
}

}  // namespace sllm
