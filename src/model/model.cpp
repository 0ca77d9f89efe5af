// model.cpp: what every architecture shares (see model.h): construction from the config's
// layout, input checks around the architecture's passes, gradients and dropout.
#include "model/model.h"

#include <algorithm>

#include "core/error.h"
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
  unpack();
  if (grads_.empty()) {
    grads_.assign(params_.size(), 0.0f);
    on_grads_allocated();
  }
  return grads_.data();
}

void Model::zero_grad() {
  if (!grads_.empty()) std::fill(grads_.begin(), grads_.end(), 0.0f);
}

namespace {
void check_ids(const int32_t* ids, size_t n, int V, const char* what) {
  for (size_t i = 0; i < n; ++i)
    if (ids[i] < 0 || ids[i] >= V)
      fail(ErrorCode::InvalidArgument, std::string(what) + " id " + std::to_string(ids[i]) +
                                           " is outside the vocabulary of " + std::to_string(V));
}
}  // namespace

float Model::forward(const int32_t* tokens, const int32_t* targets, int B, int T, bool training, Rng* rng) {
  if (B < 1 || T < 1) fail(ErrorCode::InvalidArgument, "batch size and sequence length must be at least 1");
  if (T > cfg_.context_length)
    fail(ErrorCode::InvalidArgument, "sequence length " + std::to_string(T) + " exceeds the model's context length " +
                                         std::to_string(cfg_.context_length));
  const size_t BT = size_t(B) * size_t(T);
  check_ids(tokens, BT, cfg_.vocab_size, "token");
  if (targets) check_ids(targets, BT, cfg_.vocab_size, "target");
  const bool dropout = training && cfg_.dropout > 0.0f;
  if (dropout && !rng) fail(ErrorCode::InvalidArgument, "training with dropout needs a random generator");
  if (training) unpack();  // a training step's weights are about to change: f32 from here on
  tokens_.assign(tokens, tokens + BT);
  have_targets_ = targets != nullptr;
  if (targets) targets_.assign(targets, targets + BT);
  return forward_pass(tokens, targets, B, T, dropout, rng);
}

void Model::backward(float loss_scale) {
  if (!have_targets_) fail(ErrorCode::Training, "backward() needs a preceding forward() with targets");
  if (packed())
    fail(ErrorCode::Training, "backward() needs the weights in f32, and this model holds them packed for "
                              "inference: run the forward with training = true (or create a Trainer), which converts them");
  have_targets_ = false;  // the in-place dlogits consume the probabilities
  grads();
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
