// model.h: the interface every architecture implements (gpt.h, llama.h), and what they share:
// the config, the parameter layout (layout.h) with its parameter and gradient slabs, input
// checks, and the activation slab carved into named views (as llm.c). Training runs forward()
// then backward(); generation runs decode() on a DecodeState (decode_state.h) through the same
// block code and kernels as training. The trainer, the generators, the file reader/writer and
// the bindings use only this interface; architecture.h says which architectures exist.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "format/dtype.h"
#include "kernels/attention.h"
#include "kernels/quant_kernels.h"
#include "model/config.h"
#include "model/layout.h"
#include "model/linear_op.h"
#include "model/lora.h"
#include "model/step_plan.h"

namespace sllm {

class Rng;
struct DecodeState;
struct ModelPacking;

// Throws Error(OutOfMemory) when n floats of f32 weights cannot be one allocation in this build
// (32-bit WebAssembly: 4 GiB of memory, at most 2 GiB in one array), saying what to do instead.
void check_weights_fit(const ModelConfig& c, uint64_t n);

// Where a block's keys and values go when decoding: the layer's cache, `past` positions in.
struct KVSlot {
  float *k, *v;
  int past;
};

// The dropout of one training pass with counter-based masks (dropout_hash.h): what is on, and
// the seed the masks' streams derive from (drawn from the trainer's generator per forward).
struct PassMasks {
  bool hashed = false;  // counter-based masks (every mode but the legacy one)
  float p = 0.0f;       // the model's dropout in this pass (0: off)
  float lora_p = 0.0f;  // the adapter's input dropout in this pass (0: off)
  uint64_t seed = 0;
  // Streams: kAttWeights, kAttOutput, kMlpOutput, kLoraKeyBase + t for adapter target t.
  uint64_t key(int layer, int what) const;
};
constexpr int kAttWeights = 0, kAttOutput = 1, kMlpOutput = 2, kLoraKeyBase = 16;

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

  // How training steps trade memory for compute (step_plan.h); the legacy plan by default.
  void set_step_plan(const StepPlan& plan) { plan_ = plan; }
  const StepPlan& step_plan() const { return plan_; }

  // A LoRA adapter (lora.h). While one is attached the base weights are frozen: training
  // computes no gradients for them and updates only the adapter (see trainable()), and the
  // forward and decode passes add the adapter's update (unless it is disabled). attach_lora
  // throws Error(Config) when the adapter was made for another architecture or shape.
  void attach_lora(std::unique_ptr<Lora> lora);
  std::unique_ptr<Lora> detach_lora();
  Lora* lora() { return lora_.get(); }
  const Lora* lora() const { return lora_.get(); }
  bool frozen() const { return lora_ != nullptr; }
  // Adds the adapter's update into the base weights (W += scale B A) and detaches it: the
  // model then computes what base + adapter did, without it.
  void merge_lora();
  // What training updates: the adapter's slab when one is attached, else the weights.
  struct Trainable {
    float* params;
    float* grads;
    const std::vector<ParamTensor>* tensors;
    size_t count;
  };
  Trainable trainable();
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
  // forward(training = true) then backward(loss_scale), as the trainer runs them: the same
  // numbers, but with the recompute plan piece by piece (forward and backward of one piece of
  // sequences before the next), so the batch's block inputs never exist at once.
  float forward_backward(const int32_t* tokens, const int32_t* targets, int B, int T, Rng* rng,
                         float loss_scale = 1.0f);
  // The logits (B, T, V) of the last forward without targets (or the legacy plan's with them).
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
  virtual float forward_backward_pass(const int32_t* tokens, const int32_t* targets, int B, int T,
                                      float loss_scale) = 0;
  // Floats of the activation slab of a step of this shape (the registry's activation_floats).
  virtual uint64_t activation_floats(const PassShape& s) const = 0;
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
 public:
  template <class Plan>
  static uint64_t slab_floats(Plan&& plan);
  // The registry's sizes of an architecture's activation and decode-scratch plans.
  template <class Acts>
  static uint64_t activation_floats_of(const ModelConfig& c, const PassShape& s) {
    Acts a;
    return slab_floats([&](auto&& add) { a.plan(c, s, add); });
  }
  template <class Bufs>
  static uint64_t decode_floats_of(const ModelConfig& c, int n, int past, int lora_rank) {
    Bufs b{};
    return slab_floats([&](auto&& add) { b.plan(c, n, past, lora_rank, add); });
  }

 protected:
  template <class Plan>
  static void carve(std::vector<float>& slab, Plan&& plan, bool grow_only = false);

  // The architectures' activation and decode-scratch structs share this use of the slab:
  // Acts::plan(config, shape, add) lists a training step's views, Bufs::plan(config, n, past,
  // lora_rank, add) a decode pass's.
 public:
  // The shape of a step of (B, T) under the model's plan, adapter and dropout (or the legacy
  // shape without targets: logits of the whole batch).
  PassShape pass_shape_for(int B, int T, bool with_targets) const;

 protected:
  // Carves act's slab for shape (exactly; kept while the shape stays the same).
  template <class Acts>
  void ensure_activations_of(Acts& act, const PassShape& shape);
  template <class Bufs>
  Bufs decode_bufs_of(std::vector<float>& scratch, int n, int past) const {
    Bufs b{};
    carve(scratch, [&](auto&& add) { b.plan(cfg_, n, past, active_lora_rank(), add); }, true);
    return b;
  }

  [[noreturn]] static void activations_too_big(int B, int T, uint64_t floats);

  // The adapter when one is attached and enabled, else null.
  const Lora* active_lora() const { return lora_ && lora_->enabled ? lora_.get() : nullptr; }
 public:
  // Its rank (0 without one): the decode pass's scratch depends on it.
  int active_lora_rank() const { return active_lora() ? lora_->config().rank : 0; }

 protected:
  // Layer l's linear layer on weight w (out, in) and bias b, trained through dw, db unless the
  // base is frozen, with the active adapter's targets on its row blocks ({target, first row}),
  // their u rows from us[target]; drop: the pass's dropout is on (the adapter's input dropout);
  // decode: a decode pass (a single row goes through matvec); qs: a packed base's quantized
  // activations (null: the model's own, for training passes).
  // Dropout on a residual branch's n rows (width dim) in place: the legacy pass's materialized
  // mask, or (drop) stream `what` of layer l of the pass's counter-based masks.
  void branch_dropout(float* x, const float* mask, bool drop, int n, int64_t row0, int l, int what) const;
  // The backward pass's copy of a branch's gradient: tmp = dropout(dres) (n rows).
  void branch_grad(float* tmp, const float* dres, const float* mask, bool drop, int n, int64_t row0, int l,
                   int what) const;
  // A block's attention on args' q, k, v rows into args.out. Decoding (kv): the rows' keys and
  // values join the cache (kv_width values each) and the queries attend to it; training: the
  // whole-matrix attention keeping att (with a materialized mask), or without att the blocked
  // one (q_block rows) with stream kAttWeights of layer l when drop; row0: the rows' first row.
  void attend(int l, AttentionArgs args, const KVSlot* kv, int kv_width, float* att, const float* att_mask,
              bool drop, int q_block, int64_t row0) const;
  // Its backward pass: grads += the gradients of q, k, v given dout.
  void attend_backward(int l, const AttentionArgs& args, const AttentionGrads& grads, const float* dout,
                       const float* att, const float* att_mask, bool drop, int q_block, int64_t row0) const;
  struct OpTarget {
    LoraTarget t;
    int c0;
  };
  LinearOp linear_op(int l, const LinearWeight& w, const float* b, float* dw, float* db, int in, int out,
                     std::initializer_list<OpTarget> targets, float* const* us, bool drop, bool decode,
                     LinearScratch* qs) const;

  ModelConfig cfg_;
  std::vector<ParamTensor> tensors_;
  std::vector<float> params_;  // the parameter slab, in tensors_' layout
  std::vector<float> grads_;   // the gradient slab, same layout (empty until grads())
  std::vector<float> act_slab_;
  const float* logits_ = nullptr;
  std::vector<int32_t> tokens_, targets_;  // (B, T) of the last forward, for backward
  bool have_targets_ = false;
  StepPlan plan_;
  std::unique_ptr<Lora> lora_;
  PassMasks masks_;      // the dropout of the last forward (training)
  bool stored_ = false;  // the last forward kept the batch's activations for backward
  // The training passes' quantized activations for a packed (frozen) base's linear layers.
  mutable LinearScratch linear_scratch_;

 private:
  void set_masks(bool training, Rng* rng);
  struct AttentionDropout attention_dropout(int l, const AttentionArgs& a, bool drop, int64_t row0) const;
  void check_batch(const int32_t* tokens, const int32_t* targets, int B, int T) const;
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
void Model::ensure_activations_of(Acts& act, const PassShape& shape) {
  if (shape == act.shape) return;
  // Sizes in 64-bit first: in wasm32 a large batch could otherwise wrap size_t.
  const uint64_t floats = activation_floats(shape);
  if (floats > uint64_t(SIZE_MAX) / 8) activations_too_big(shape.B, shape.T, floats);
  act = Acts{};
  carve(act_slab_, [&](auto&& add) { act.plan(cfg_, shape, add); });
  act.shape = shape;
}

}  // namespace sllm
