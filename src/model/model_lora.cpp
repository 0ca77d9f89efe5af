// model_lora.cpp: the parts of Model (model.h) that carry a LoRA adapter: attaching one (which
// freezes the base), merging it into the weights, and what training updates.
#include <algorithm>
#include <vector>

#include "core/error.h"
#include "kernels/kernels.h"
#include "model/model.h"

namespace sllm {

void Model::attach_lora(std::unique_ptr<Lora> lora) {
  if (!lora) fail(ErrorCode::InvalidArgument, "attach_lora needs an adapter");
  const std::vector<ParamTensor> expect = Lora::layout(cfg_, lora->config());  // throws for this model
  const std::vector<ParamTensor>& got = lora->tensors();
  bool same = expect.size() == got.size();
  for (size_t i = 0; same && i < expect.size(); ++i) same = expect[i].name == got[i].name && expect[i].shape == got[i].shape;
  if (!same)
    fail(ErrorCode::Config, "this LoRA adapter was made for a model of another shape (its tensors are not the ones a " +
                                std::to_string(lora->config().rank) + "-rank adapter of this model has)");
  lora_ = std::move(lora);
  stored_ = false;  // (the next pass carves its activations for the adapter: the shape changed)
  have_targets_ = false;
}

std::unique_ptr<Lora> Model::detach_lora() {
  std::unique_ptr<Lora> l = std::move(lora_);
  stored_ = false;
  have_targets_ = false;
  return l;
}

void Model::merge_lora() {
  if (!lora_) fail(ErrorCode::InvalidArgument, "this model carries no LoRA adapter to merge");
  unpack();  // the merged weights are f32
  const Lora& l = *lora_;
  std::vector<float> scaled;
  for (int layer = 0; layer < cfg_.layers; ++layer)
    for (int t = 0; t < kLoraTargets; ++t) {
      const Lora::View* v = l.at(layer, LoraTarget(t));
      if (!v) continue;
      const std::string name = "blk." + std::to_string(layer) + "." + lora_target_name(LoraTarget(t)) + ".weight";
      const ParamTensor* w = find_tensor(name);
      if (!w) fail(ErrorCode::Internal, "the model has no tensor " + name);
      // W (out, in) += (scale B) (out, r) · A (r, in)
      scaled.assign(v->b, v->b + size_t(v->out) * size_t(v->rank));
      scale_inplace(scaled.data(), v->scale, scaled.size());
      gemm(GemmArgs{v->out, v->in, v->rank, scaled.data(), v->rank, false, v->a, v->in, false,
                    params_.data() + w->offset, v->in, true});
    }
  detach_lora();
}

LinearOp Model::linear_op(int l, const LinearWeight& w, const float* b, float* dw, float* db, int in, int out,
                          std::initializer_list<OpTarget> targets, float* const* us, bool drop, bool decode,
                          LinearScratch* qs) const {
  LinearOp op;
  op.w = w, op.b = b, op.in = in, op.out = out, op.decode = decode, op.qs = qs ? qs : &linear_scratch_;
  if (!frozen()) op.dw = dw, op.db = db;
  if (const Lora* lo = active_lora()) {
    op.lora_dropout = drop ? masks_.lora_p : 0.0f;
    for (const OpTarget& t : targets)
      op.add(lo->at(l, t.t), t.c0, us[int(t.t)], masks_.key(l, kLoraKeyBase + int(t.t)));
  }
  return op;
}

Model::Trainable Model::trainable() {
  if (lora_) return {lora_->params(), lora_->grads(), &lora_->tensors(), lora_->num_params()};
  return {params(), grads(), &tensors_, num_params()};
}

}  // namespace sllm
