// sllm_writer.cpp: writes SLLM v1 files: the 16-byte preamble, the JSON header, zero padding
// to the 64-byte-aligned data section, each tensor at an aligned offset, and the CRC-32.
#include <cstring>

#include "core/error.h"
#include "format/adapter_file.h"
#include "format/crc32.h"
#include "format/dtype.h"
#include "format/sllm_file.h"
#include "format/weight_dtype.h"

namespace sllm {

namespace {

constexpr uint32_t kAlignment = 64;

struct TensorOut {
  std::string name;
  std::vector<int64_t> shape;
  DType dtype;
  const float* data;  // f32 values, or null when `packed` holds the tensor
  uint64_t numel;
  WeightView packed{};  // a packed model's tensor: copied as is in its own dtype, else decoded
};

uint64_t round_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}

std::vector<uint8_t> write_file(Json header, const std::vector<TensorOut>& tensors) {
  Json list = Json::array();
  uint64_t offset = 0;
  std::vector<uint64_t> offsets;
  for (const auto& t : tensors) {
    uint64_t nbytes = dtype_nbytes(t.dtype, t.numel);
    offset = round_up(offset, kAlignment);
    offsets.push_back(offset);
    Json e = Json::object();
    e.set("name", t.name);
    e.set("dtype", dtype_name(t.dtype));
    Json shape = Json::array();
    for (int64_t d : t.shape) shape.push(d);
    e.set("shape", std::move(shape));
    e.set("offset", offset);
    e.set("nbytes", nbytes);
    list.push(std::move(e));
    offset += nbytes;
  }
  header.set("tensors", std::move(list));
  const std::string json = header.dump();
  const uint64_t data_start = round_up(16 + json.size(), kAlignment);
  const uint64_t total = data_start + offset + 4;
  if (json.size() > (64u << 20)) fail(ErrorCode::InvalidArgument, "the model's header would exceed 64 MiB");
  std::vector<uint8_t> out(size_t(total), 0);
  std::memcpy(out.data(), "SLLM", 4);
  put_u32(out.data() + 4, 1);
  put_u32(out.data() + 8, uint32_t(json.size()));
  put_u32(out.data() + 12, kAlignment);
  std::memcpy(out.data() + 16, json.data(), json.size());
  std::vector<float> decoded;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorOut& t = tensors[i];
    uint8_t* dst = out.data() + data_start + offsets[i];
    if (t.data) {
      encode_tensor(t.dtype, t.data, t.numel, dst);
    } else if (t.packed.dtype == t.dtype) {  // the same bytes, not quantized a second time
      std::memcpy(dst, t.packed.data, size_t(dtype_nbytes(t.dtype, t.numel)));
    } else {
      decoded.resize(size_t(t.numel));
      decode_tensor(t.packed.dtype, t.packed.data, decoded.size(), decoded.data());
      encode_tensor(t.dtype, decoded.data(), t.numel, dst);
    }
  }
  put_u32(out.data() + total - 4, crc32(out.data(), size_t(total - 4)));
  return out;
}

// The header of model's file, or (with_adapter) of the adapter it carries.
Json base_header(const Model& model, const Tokenizer& tok, const SaveOptions& opts, bool with_adapter = false) {
  if (tok.vocab_size() != model.config().vocab_size)
    fail(ErrorCode::InvalidArgument, "the tokenizer's vocabulary (" + std::to_string(tok.vocab_size()) +
                                         ") does not match the model's (" +
                                         std::to_string(model.config().vocab_size) + ")");
  Json h = Json::object();
  Json m = model.config().to_json();
  if (with_adapter) {
    Lora& lora = const_cast<Lora&>(*model.lora());
    if (lora.base_checksum == 0) lora.base_checksum = base_checksum(model);  // the frozen base it trains on
    m.set("adapter", adapter_json(lora, model.config()));
  }
  h.set("model", std::move(m));
  h.set("tokenizer", tok.json());
  if (!opts.metadata.is_object()) fail(ErrorCode::InvalidArgument, "metadata must be an object of strings");
  for (const auto& m : opts.metadata.members())
    if (!m.second.is_string()) fail(ErrorCode::InvalidArgument, "metadata \"" + m.first + "\" must be a string");
  h.set("metadata", opts.metadata);
  return h;
}

std::vector<TensorOut> param_tensors(const Model& model, DType requested) {
  std::vector<TensorOut> out;
  for (size_t i = 0; i < model.tensors().size(); ++i) {
    const ParamTensor& t = model.tensors()[i];
    const float* f32 = model.tensor_f32(i);
    out.push_back({t.name, t.shape, weight_dtype(t, requested), f32, t.numel, f32 ? WeightView{} : model.weight(i)});
  }
  return out;
}

std::vector<TensorOut> adapter_tensors(const Lora& lora) {
  std::vector<TensorOut> out;
  for (const auto& t : lora.tensors()) out.push_back({t.name, t.shape, DType::F32, lora.params() + t.offset, t.numel});
  return out;
}

}  // namespace

std::vector<uint8_t> save_model(const Model& model, const Tokenizer& tok, const SaveOptions& opts) {
  return write_file(base_header(model, tok, opts), param_tensors(model, opts.weights));
}

std::vector<uint8_t> save_adapter(const Model& model, const Tokenizer& tok, const SaveOptions& opts) {
  if (!model.lora()) fail(ErrorCode::InvalidArgument, "this model carries no LoRA adapter to save");
  return write_file(base_header(model, tok, opts, true), adapter_tensors(*model.lora()));
}

std::vector<uint8_t> save_checkpoint(Trainer& trainer, const Tokenizer& tok, const SaveOptions& opts) {
  Model& model = trainer.model();
  const Lora* lora = model.lora();  // a LoRA run's checkpoint is an adapter checkpoint
  Json h = base_header(model, tok, opts, lora != nullptr);
  Json training = Json::object();
  training.set("step", trainer.steps());
  training.set("tokens_seen", trainer.tokens_seen());
  Json optim = Json::object();
  optim.set("name", "adamw");
  optim.set("t", trainer.optimizer().t());
  training.set("optimizer", std::move(optim));
  training.set("config", trainer.config().to_json());  // includes the schedule and AdamW settings
  training.set("lr", double(trainer.config().schedule.at(trainer.steps())));
  Json rng = Json::object();
  rng.set("state", std::to_string(trainer.rng().state()));
  rng.set("inc", std::to_string(trainer.rng().inc()));
  training.set("rng", std::move(rng));
  training.set("best_val_loss", double(trainer.best_val_loss()));
  training.set("evals_without_improvement", trainer.evals_without_improvement());
  h.set("training", std::move(training));
  // checkpoints keep f32
  std::vector<TensorOut> tensors = lora ? adapter_tensors(*lora) : param_tensors(model, DType::F32);
  for (const char* slot : {"m", "v"}) {
    const std::vector<float>& buf = slot[0] == 'm' ? trainer.optimizer().m() : trainer.optimizer().v();
    for (const auto& t : lora ? lora->tensors() : model.tensors())
      tensors.push_back({std::string("optim.") + slot + "." + t.name, t.shape, DType::F32, buf.data() + t.offset, t.numel});
  }
  return write_file(std::move(h), tensors);
}

}  // namespace sllm
