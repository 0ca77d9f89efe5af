// layout.h: a model's parameter tensors as data: names, shapes, where each lives in the
// parameter slab, whether AdamW decays it and how it is initialized. Each architecture
// writes its layout once (gpt.cpp, llama.cpp); the parameter count, the file reader's check 9,
// the writer, the optimizer and initialization all read it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace sllm {

// How a tensor starts: norm weights at 1, biases at 0, matrices normal(0, 0.02), and the
// projections into the residual stream normal(0, 0.02 / sqrt(2 * layers)) (GPT-2's rule).
enum class Init { Ones, Zeros, Normal, NormalResidual };

// One named parameter tensor: its GGUF-style name, shape (outermost first) and place in the slab.
struct ParamTensor {
  std::string name;
  std::vector<int64_t> shape;
  uint64_t offset = 0;  // in floats, from the start of the slab (64-bit: layouts of configs too big
  uint64_t numel = 0;   // for this build are computed, counted and refused, never allocated)
  bool decay = false;  // 2-D weights get weight decay; biases, norms and nothing else do not
  Init init = Init::Normal;
};

// What an architecture's layout function writes its tensors to, in slab order: tensor `name`
// of block `layer` ("blk.<layer>.<name>"), or a model-level one when layer < 0. A sink may
// build the list (LayoutBuilder) or only count (param_count needs no allocation).
class LayoutSink {
 public:
  virtual ~LayoutSink() = default;
  virtual void add(int layer, const char* name, std::initializer_list<int64_t> shape, Init init) = 0;
};

// Builds the list. A 2-D shape is a decayed matrix; anything else is not decayed.
class LayoutBuilder final : public LayoutSink {
 public:
  void add(int layer, const char* name, std::initializer_list<int64_t> shape, Init init) override;
  std::vector<ParamTensor> take() { return std::move(tensors_); }

 private:
  std::vector<ParamTensor> tensors_;
  uint64_t offset_ = 0;
};

// Counts the floats without building anything.
class LayoutCounter final : public LayoutSink {
 public:
  void add(int, const char*, std::initializer_list<int64_t> shape, Init) override {
    uint64_t n = 1;
    for (int64_t d : shape) n *= uint64_t(d);
    floats += n;
  }
  uint64_t floats = 0;
};

// Floats the layout's slab holds.
inline uint64_t layout_floats(const std::vector<ParamTensor>& layout) {
  return layout.empty() ? 0 : uint64_t(layout.back().offset) + layout.back().numel;
}

// Fills params (the layout's slab) by each tensor's Init rule, drawing the normal values from
// one generator seeded with seed, tensor by tensor in layout order.
void init_params(float* params, const std::vector<ParamTensor>& layout, uint64_t seed, int layers);

}  // namespace sllm
