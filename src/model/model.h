// model.h: the interface every architecture implements (gpt.h, llama.h), and what they share:
// the config, the parameter layout (layout.h) with its parameter and gradient slabs, input
// checks, and the activation slab carved into named views (as llm.c). Training runs forward()
// then backward(); generation runs decode() on a DecodeState (decode_state.h) through the same
// block code and kernels as training. The trainer, the generators, the file reader/writer and
// the bindings use only this interface; architecture.h says which architectures exist.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "format/dtype.h"
#include "kernels/quant_kernels.h"
#include "model/config.h"
#include "model/layout.h"

namespace sllm {

class Rng;
struct DecodeState;
struct ModelPacking;

// Throws Error(OutOfMemory) when n floats of f32 weights cannot be one allocation in this build
// (32-bit WebAssembly: 4 GiB of memory, at most 2 GiB in one array), saying what to do instead.
void check_weights_fit(const ModelConfig& c, uint64_t n);

class Model {
 public:
  // A model of config.arch, weights initialized from config.init_seed by the layout's Init rules,
  // or all zero with initialize = false (for a loader that overwrites them all). Throws
  // Error(Config) for an invalid config.
  static std::unique_ptr<Model> create(const ModelConfig& config, bool initialize = true);
  // For a loader that has already built the config's layout (so it is not held twice): zero
  // weights. Throws Error(Config) when it is not the config's layout.
  static std::unique_ptr<Model> create(const ModelConfig& config, std::vector<ParamTensor> layout);
  virtual ~Model() = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // One tensor of a file, for create_packed: its dtype and its dtype_nbytes(dtype, numel) bytes.
  struct TensorBytes {
    DType dtype;
    const uint8_t* data;
  };
  // A model for inference (weights.cpp) whose 2-D tensors (matrices and embeddings) stay in a
  // file's bytes, in their dtype (f32 ones read in place; the bytes need 4-byte alignment): the
  // kernels read them through weight views, and only the other tensors (norms, biases) are
  // decoded into the f32 slab. backing keeps the bytes alive. tensors: one per layout tensor.
  // Throws Error(InvalidArgument) for a q8_0/q4_0 matrix whose rows are not multiples of 32.
  static std::unique_ptr<Model> create_packed(const ModelConfig& config, std::vector<ParamTensor> layout,
                                              const std::vector<TensorBytes>& tensors,
                                              std::shared_ptr<const void> backing);

  bool packed() const { return !packed_.empty(); }
  // Converts packed tensors to f32 in a full slab (the layout's): training needs every weight in
  // f32, so params() and grads() (which the trainer takes) call it first. Throws
  // Error(OutOfMemory), before allocating, when the slab would not fit in this build's memory.
  void unpack();
  // Bytes the weights occupy: the f32 slab plus the packed tensors' bytes.
  uint64_t weight_bytes() const;
  // Tensor i as the passes read it: its f32 values in the slab, or its file dtype when packed.
  WeightView weight(size_t i) const;
  // Tensor i's f32 values, or nullptr when the model holds it packed (see weight(i)).
  const float* tensor_f32(size_t i) const;
  // Every tensor's f32 values in the layout's slab (what params() is for an unpacked model): the
  // slab itself, or for a packed one, buf filled with them, for writers that read them all.
  const float* f32_slab(std::vector<float>& buf) const;

  const ModelConfig& config() const { return cfg_; }
  void set_dropout(float p);  // throws Error(Config) unless 0 <= p < 1
  size_t num_params() const { return size_t(layout_floats(tensors_)); }  // packed or not
  const std::vector<ParamTensor>& tensors() const { return tensors_; }
  const ParamTensor* find_tensor(const std::string& name) const;

  // The f32 parameter slab in the layout's order (unpacks a packed model first). The const
  // form of a packed model holds only its unpacked tensors: read those with tensor_f32().
  float* params() {
    unpack();
    return params_.data();
  }
  const float* params() const { return params_.data(); }
  float* grads();  // allocated (zeroed) on first use; unpacks first
  void zero_grad();

  // Runs tokens (B, T) through the model. With targets (B, T), returns the mean cross-entropy
  // loss and keeps what backward() needs; without, returns 0 and leaves logits (B, T, V)
  // readable from logits(). training enables dropout (drawn from rng). Throws
  // Error(InvalidArgument) for a bad shape or an id outside the vocabulary.
  float forward(const int32_t* tokens, const int32_t* targets, int B, int T, bool training = false,
                Rng* rng = nullptr);
  // Adds d(loss * loss_scale)/d(params) into grads. Requires a preceding forward with targets.
  void backward(float loss_scale = 1.0f);
  const float* logits() const { return logits_; }

  // Generation (decoder.h wraps it): runs n new tokens at positions s.pos .. s.pos + n - 1 as one
  // batch, appends their keys and values to s's cache, advances s.pos and leaves the last
  // token's logits (V) in s.logits. Throws Error(InvalidArgument) when they do not fit.
  void decode(DecodeState& s, const int32_t* tokens, int n) const;

 protected:
  Model(const ModelConfig& config, std::vector<ParamTensor> layout, const ModelPacking* packing = nullptr);

  // The architecture's passes; forward/backward/decode above check their input and call these.
  virtual float forward_pass(const int32_t* tokens, const int32_t* targets, int B, int T, bool dropout,
                             Rng* rng) = 0;
  virtual void backward_pass(float loss_scale) = 0;
  virtual void decode_pass(DecodeState& s, const int32_t* tokens, int n) const = 0;
  virtual void on_grads_allocated() = 0;  // builds the gradient views
  virtual void on_weights_moved() = 0;    // rebuilds the weight views (after unpack)

  // Tensor i's floats in a parameter-shaped slab at base (the weights or their gradients), or
  // nullptr for a tensor the model holds packed.
  float* slab_tensor(float* base, size_t i) const;
  // Tensors i .. i + count - 1 (adjacent in the layout, with equal columns) as one linear weight:
  // one f32 view of the slab, or each in its file dtype when packed.
  LinearWeight linear_weight(size_t i, int count) const;

  // The slab of named float views (activations, scratch): plan(add) calls add(view, count) for
  // each view in order; carve() sizes the slab from it (exactly, zero-filled, or with grow_only
  // just large enough, keeping what it holds) and points each view into it (16-byte aligned).
  // slab_floats() gives the size the same plan needs, without allocating.
  template <class Plan>
  static uint64_t slab_floats(Plan&& plan);
  template <class Plan>
  static void carve(std::vector<float>& slab, Plan&& plan, bool grow_only = false);

  // The architectures' activation and decode-scratch structs share this use of the slab (the
  // sizes are public: the architecture registry reports them):
  // Acts::plan(config, B, T, dropout, add) lists a training step's views, Bufs::plan(config, n,
  // past, add) a decode pass's. Their sizes, and carving them (activations: exactly, reset when
  // the batch shape changes; decode scratch: grown as needed and kept).

 public:
  template <class Acts>
  static uint64_t activation_floats_of(const ModelConfig& c, int B, int T, bool dropout) {
    Acts a;
    return slab_floats([&](auto&& add) { a.plan(c, B, T, dropout, add); });
  }
  template <class Bufs>
  static uint64_t decode_floats_of(const ModelConfig& c, int n, int past) {
    Bufs b{};
    return slab_floats([&](auto&& add) { b.plan(c, n, past, add); });
  }

 protected:
  template <class Acts>
  void ensure_activations_of(Acts& act, int B, int T, bool dropout);
  template <class Bufs>
  static Bufs decode_bufs_of(const ModelConfig& c, std::vector<float>& scratch, int n, int past) {
    Bufs b{};
    carve(scratch, [&](auto&& add) { b.plan(c, n, past, add); }, true);
    return b;
  }

  [[noreturn]] static void activations_too_big(int B, int T, uint64_t floats);

  ModelConfig cfg_;
  std::vector<ParamTensor> tensors_;
  std::vector<float> params_;  // the parameter slab, in tensors_' layout
  std::vector<float> grads_;   // the gradient slab, same layout (empty until grads())
  std::vector<float> act_slab_;
  const float* logits_ = nullptr;
  std::vector<int32_t> tokens_, targets_;  // (B, T) of the last forward, for backward
  bool have_targets_ = false;
  LinearScratch linear_scratch_;  // the forward pass's quantized activations

 private:
  void hold_packed(const ModelPacking& packing);  // the constructor's packed case (weights.cpp)

  std::vector<WeightView> packed_;     // per tensor when packed: the file-dtype view (data null: in the slab)
  std::vector<uint64_t> slab_offset_;  // per tensor when packed: its offset in the compact slab
  std::shared_ptr<const void> backing_;  // what packed_ points into
};

// What create_packed passes through an architecture's constructor to Model's (null: f32).
struct ModelPacking {
  const std::vector<Model::TensorBytes>* tensors;
  std::shared_ptr<const void> backing;
};

template <class Plan>
uint64_t Model::slab_floats(Plan&& plan) {
  uint64_t total = 0;
  plan([&](float*& /*view*/, uint64_t n) { total += (n + 3) & ~uint64_t(3); });
  return total;
}

template <class Plan>
void Model::carve(std::vector<float>& slab, Plan&& plan, bool grow_only) {
  const uint64_t total = slab_floats(plan);
  if (!grow_only) {
    slab.clear();
    slab.shrink_to_fit();
    slab.assign(size_t(total), 0.0f);
  } else if (slab.size() < total) {
    slab.resize(size_t(total));
  }
  float* p = slab.data();
  plan([&](float*& view, uint64_t n) {
    view = p;
    p += (n + 3) & ~uint64_t(3);  // keep every view 16-byte aligned
  });
}

template <class Acts>
void Model::ensure_activations_of(Acts& act, int B, int T, bool dropout) {
  if (B == act.B && T == act.T && dropout == act.dropout) return;
  // Sizes in 64-bit first: in wasm32 a large batch could otherwise wrap size_t.
  const uint64_t floats = activation_floats_of<Acts>(cfg_, B, T, dropout);
  if (floats > uint64_t(SIZE_MAX) / 8) activations_too_big(B, T, floats);
  act = Acts{};
  carve(act_slab_, [&](auto&& add) { act.plan(cfg_, B, T, dropout, add); });
  act.B = B;
  act.T = T;
  act.dropout = dropout;
}

}  // namespace sllm
