// model.cpp: what every architecture shares (see model.h): construction from the config's
// layout, input checks around the architecture's passes, gradients and dropout.
#include "model/model.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/rng.h"
#include "kernels/attention_blocked.h"
#include "kernels/dropout_hash.h"
#include "kernels/kernels.h"
#include "model/architecture.h"
#include "model/decode_state.h"

namespace sllm {

Model::Model(const ModelConfig& config, std::vector<ParamTensor> layout, const ModelPacking* packing)
    : cfg_(config), tensors_(std::move(layout)) {
  if (packing) hold_packed(*packing);
  else params_.assign(size_t(layout_floats(tensors_)), 0.0f);
}

std::unique_ptr<Model> Model::create(const ModelConfig& config, bool initialize) {
  config.validate();
  const Architecture& arch = architecture(config.arch);
  std::unique_ptr<Model> m = arch.make(config, build_layout(config), nullptr);
  if (initialize) init_params(m->params(), m->tensors(), config.init_seed, config.layers);
  return m;
}

std::unique_ptr<Model> Model::create(const ModelConfig& config, std::vector<ParamTensor> layout) {
  config.validate();
  // A cheap check (building the layout again would hold it twice): the sizes add up.
  if (layout.empty() || layout_floats(layout) != config.param_count())
    fail(ErrorCode::Config, "the given tensor layout is not the config's");
  return architecture(config.arch).make(config, std::move(layout), nullptr);
}

void Model::activations_too_big(int B, int T, uint64_t floats) {
  fail(ErrorCode::OutOfMemory, "activations for batch " + std::to_string(B) + " x sequence " + std::to_string(T) +
                                   " need " + std::to_string(floats * 4 / 1000000) +
                                   " MB, more than this build can address; use a smaller batch or sequence");
}

void Model::set_dropout(float p) {
  if (!(p >= 0.0f && p < 1.0f)) fail(ErrorCode::Config, "dropout must be in [0, 1)");
  cfg_.dropout = p;
}

const ParamTensor* Model::find_tensor(const std::string& name) const {
  for (auto& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

float* Model::grads() {
  if (frozen()) return nullptr;  // the adapter's gradients are in its own slab (trainable())
  unpack();
  if (grads_.empty()) {
    grads_.assign(params_.size(), 0.0f);
    on_grads_allocated();
  }
  return grads_.data();
}

void Model::zero_grad() {
  if (lora_) lora_->zero_grad();
  if (!grads_.empty()) zero_fill(grads_.data(), grads_.size());
}

void Model::branch_dropout(float* x, const float* mask, bool drop, int n, int64_t row0, int l, int what) const {
  const size_t count = size_t(n) * size_t(cfg_.dim);
  if (mask) mul_inplace(x, mask, count);
  else if (drop) hash_dropout(x, count, uint64_t(row0) * uint64_t(cfg_.dim), masks_.key(l, what), masks_.p);
}

void Model::branch_grad(float* tmp, const float* dres, const float* mask, bool drop, int n, int64_t row0, int l,
                        int what) const {
  std::memcpy(tmp, dres, sizeof(float) * size_t(n) * size_t(cfg_.dim));
  branch_dropout(tmp, mask, drop, n, row0, l, what);
}

void Model::attend(int l, AttentionArgs args, const KVSlot* kv, int kv_width, float* att, const float* att_mask,
                   bool drop, int q_block, int64_t row0) const {
  const int T = args.Tq;
  if (kv) {
    for (int t = 0; t < T; ++t) {
      std::memcpy(kv->k + size_t(kv->past + t) * kv_width, args.k + size_t(t) * args.ldkv, sizeof(float) * kv_width);
      std::memcpy(kv->v + size_t(kv->past + t) * kv_width, args.v + size_t(t) * args.ldkv, sizeof(float) * kv_width);
    }
    args.Tk = kv->past + T, args.k = kv->k, args.v = kv->v, args.ldkv = kv_width, args.kv_batch = 0;
    if (T == 1) attention_step(args.out, args.q, args.k, args.v, args.ldkv, args.Tk, args.NH, args.NKV, args.hs);
    else attention_forward(args, nullptr, nullptr);
  } else if (att) {
    attention_forward(args, att, att_mask);
  } else {
    attention_forward_blocked(args, q_block, attention_dropout(l, args, drop, row0));
  }
}

void Model::attend_backward(int l, const AttentionArgs& args, const AttentionGrads& grads, const float* dout,
                            const float* att, const float* att_mask, bool drop, int q_block, int64_t row0) const {
  if (att) attention_backward(args, grads, dout, att, att_mask);
  else attention_backward_blocked(args, grads, dout, q_block, attention_dropout(l, args, drop, row0));
}

AttentionDropout Model::attention_dropout(int l, const AttentionArgs& a, bool drop, int64_t row0) const {
  const uint64_t per_seq = uint64_t(a.NH) * uint64_t(a.Tq) * uint64_t(a.Tk);
  return AttentionDropout{masks_.key(l, kAttWeights), drop ? masks_.p : 0.0f, uint64_t(row0 / a.Tq) * per_seq};
}

uint64_t PassMasks::key(int layer, int what) const { return dropout_key(seed, uint64_t(layer), uint64_t(what)); }

PassShape Model::pass_shape_for(int B, int T, bool with_targets) const {
  const bool dropout = cfg_.dropout > 0.0f;
  const StepPlan plan = with_targets ? plan_ : StepPlan{};
  const Lora* l = lora_ && lora_->enabled ? lora_.get() : nullptr;
  return pass_shape(cfg_, B, T, dropout, plan, l ? l->config().rank : 0, l ? l->config().targets : 0,
                    l && l->config().dropout > 0.0f, frozen());
}

void Model::set_masks(bool training, Rng* rng) {
  masks_ = PassMasks{};
  masks_.hashed = !plan_.legacy();
  const bool lora_drop = training && lora_ && lora_->enabled && lora_->config().dropout > 0.0f;
  masks_.p = training && masks_.hashed ? cfg_.dropout : 0.0f;
  masks_.lora_p = lora_drop ? lora_->config().dropout : 0.0f;
  if (masks_.p > 0.0f || masks_.lora_p > 0.0f) {
    if (!rng) fail(ErrorCode::InvalidArgument, "training with dropout needs a random generator");
    const uint64_t hi = rng->next_u32();
    masks_.seed = hi << 32 | rng->next_u32();
  }
}

namespace {
void check_ids(const int32_t* ids, size_t n, int V, const char* what) {
  for (size_t i = 0; i < n; ++i)
    if (ids[i] < 0 || ids[i] >= V)
      fail(ErrorCode::InvalidArgument, std::string(what) + " id " + std::to_string(ids[i]) +
                                           " is outside the vocabulary of " + std::to_string(V));
}
}  // namespace

void Model::check_batch(const int32_t* tokens, const int32_t* targets, int B, int T) const {
  if (B < 1 || T < 1) fail(ErrorCode::InvalidArgument, "batch size and sequence length must be at least 1");
  if (T > cfg_.context_length)
    fail(ErrorCode::InvalidArgument, "sequence length " + std::to_string(T) + " exceeds the model's context length " +
                                         std::to_string(cfg_.context_length));
  const size_t BT = size_t(B) * size_t(T);
  check_ids(tokens, BT, cfg_.vocab_size, "token");
  if (targets) check_ids(targets, BT, cfg_.vocab_size, "target");
}

float Model::forward(const int32_t* tokens, const int32_t* targets, int B, int T, bool training, Rng* rng) {
  check_batch(tokens, targets, B, T);
  const size_t BT = size_t(B) * size_t(T);
  const bool dropout = training && cfg_.dropout > 0.0f;
  if (dropout && !rng) fail(ErrorCode::InvalidArgument, "training with dropout needs a random generator");
  // A training step's weights are about to change: f32 from here on (a frozen base under an
  // adapter stays as it is held).
  if (training && !frozen()) unpack();
  tokens_.assign(tokens, tokens + BT);
  have_targets_ = targets != nullptr;
  if (targets) targets_.assign(targets, targets + BT);
  set_masks(training, rng);
  return forward_pass(tokens, targets, B, T, dropout && plan_.legacy(), rng);
}

float Model::forward_backward(const int32_t* tokens, const int32_t* targets, int B, int T, Rng* rng,
                              float loss_scale) {
  if (!targets) fail(ErrorCode::InvalidArgument, "forward_backward needs targets");
  if (!plan_.recompute) {
    const float loss = forward(tokens, targets, B, T, true, rng);
    backward(loss_scale);
    return loss;
  }
  check_batch(tokens, targets, B, T);
  const size_t BT = size_t(B) * size_t(T);
  tokens_.assign(tokens, tokens + BT);
  targets_.assign(targets, targets + BT);
  have_targets_ = false;
  if (frozen()) lora_->grads();
  else grads();
  set_masks(true, rng);
  return forward_backward_pass(tokens, targets, B, T, loss_scale);
}

void Model::backward(float loss_scale) {
  if (!have_targets_) fail(ErrorCode::Training, "backward() needs a preceding forward() with targets");
  if (packed() && !frozen())
    fail(ErrorCode::Training, "backward() needs the weights in f32, and this model holds them packed for "
                              "inference: run the forward with training = true (or create a Trainer), which converts them");
  have_targets_ = false;  // the in-place dlogits consume the probabilities
  if (frozen()) lora_->grads();
  else grads();
  backward_pass(loss_scale);
}

void Model::decode(DecodeState& s, const int32_t* tokens, int n) const {
  if (n < 1) fail(ErrorCode::InvalidArgument, "decoding needs at least one token");
  if (s.capacity != cfg_.context_length || s.logits.size() != size_t(cfg_.vocab_size))
    fail(ErrorCode::InvalidArgument, "this decoding state belongs to another model");
  if (n > s.capacity - s.pos)
    fail(ErrorCode::InvalidArgument, "the KV cache is full: " + std::to_string(s.pos) + " positions held, " +
                                         std::to_string(n) + " more do not fit in the context length " +
                                         std::to_string(s.capacity));
  check_ids(tokens, size_t(n), cfg_.vocab_size, "token");
  decode_pass(s, tokens, n);
  s.pos += n;
}

}  // namespace sllm
