// gguf_model.cpp: models <-> GGUF files (see gguf_model.h). The architecture table (names, keys,
// fused tensors) is gguf_arch.cpp; the tokenizer keys are gguf_tokenizer.cpp.
#include "format/gguf_model.h"

#include <cstring>

#include "core/error.h"
#include "format/bfloat16.h"
#include "format/ggml_types.h"
#include "format/gguf_arch.h"
#include "format/gguf_reader.h"
#include "format/gguf_tokenizer.h"
#include "format/gguf_writer.h"
#include "format/weight_dtype.h"
#include "model/architecture.h"

namespace sllm {

namespace {

[[noreturn]] void bad(const std::string& msg) { fail(ErrorCode::Format, "invalid GGUF file: " + msg); }

// llama.cpp's llama_ftype for a file whose matrices are in d (general.file_type).
uint32_t file_type(DType d) {
  switch (d) {
    case DType::F32: return 0;
    case DType::F16: return 1;
    case DType::Q4_0: return 2;
    case DType::Q8_0: return 7;
  }
  return 0;
}

void decode_bf16(const uint8_t* src, size_t n, float* dst) {
  for (size_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(uint16_t(src[2 * i] | src[2 * i + 1] << 8));
}

}  // namespace

bool is_gguf(const uint8_t* data, size_t size) { return size >= 4 && std::memcmp(data, "GGUF", 4) == 0; }

std::vector<uint8_t> save_gguf(const Model& model, const Tokenizer& tok, const SaveOptions& opts) {
  const ModelConfig& cfg = model.config();
  if (tok.vocab_size() != cfg.vocab_size)
    fail(ErrorCode::InvalidArgument, "the tokenizer's vocabulary (" + std::to_string(tok.vocab_size()) +
                                         ") does not match the model's (" + std::to_string(cfg.vocab_size) + ")");
  if (!opts.metadata.is_object()) fail(ErrorCode::InvalidArgument, "metadata must be an object of strings");
  GgufWriter w;
  write_gguf_hparams(w, cfg);
  for (const char* key : {"name", "description"})
    if (const Json* v = opts.metadata.find(key)) {
      if (!v->is_string()) fail(ErrorCode::InvalidArgument, std::string("metadata \"") + key + "\" must be a string");
      w.add_string(std::string("general.") + key, v->as_string());
    }
  w.add_u32("general.file_type", file_type(opts.weights));
  if (opts.weights == DType::Q8_0 || opts.weights == DType::Q4_0) w.add_u32("general.quantization_version", 2);
  write_gguf_tokenizer(w, tok);
  std::vector<float> unpacked;  // a packed model's weights in f32, while they are written
  const float* params = model.f32_slab(unpacked);
  for (const GgufTensorPlan& p : gguf_tensor_plan(model.tensors(), cfg)) {
    const DType d = weight_dtype(*p.parts[0], opts.weights);  // the parts share shape rules
    w.add_tensor(p.name, p.shape, uint32_t(ggml_type_of(d)), [&, parts = p.parts, d](uint8_t* dst) {
      for (const ParamTensor* t : parts) {
        encode_tensor(d, params + t->offset, t->numel, dst);
        dst += dtype_nbytes(d, t->numel);
      }
    });
  }
  return w.finish();
}

namespace {

// The bf16 tensors of a packed import, widened to f32 (the kernels read no bf16), and the file.
struct GgufBacking {
  std::shared_ptr<const void> file;
  std::vector<std::vector<float>> widened;
};

// load_gguf's body; with backing (the bytes' owner) the model is packed: its matrices and
// embeddings stay in the file's bytes in their dtype (bf16 ones widened to f32).
LoadedFile import_gguf(const uint8_t* data, size_t size, std::shared_ptr<const void> backing) {
  GgufFile f = GgufFile::parse(data, size);
  LoadedFile out;
  out.tokenizer = read_gguf_tokenizer(f);
  ModelConfig cfg = read_gguf_hparams(f, out.tokenizer->vocab_size());
  // An output head stored as a copy of the token embedding is the tied model.
  const GgufTensorInfo* emb = f.find_tensor("token_embd.weight");
  const GgufTensorInfo* head = f.find_tensor("output.weight");
  if (emb && head && emb->type == head->type && emb->nbytes == head->nbytes && emb->shape() == head->shape() &&
      std::memcmp(f.tensor_data(*emb), f.tensor_data(*head), size_t(emb->nbytes)) == 0)
    cfg.tie_embeddings = true;
  std::vector<ParamTensor> layout = build_layout(cfg);
  const std::vector<GgufTensorPlan> plan = gguf_tensor_plan(layout, cfg);
  // Every tensor the model calls for, in a type this build reads, before anything is allocated.
  std::vector<const GgufTensorInfo*> found;
  size_t used = 0;
  for (const GgufTensorPlan& p : plan) {
    const GgufTensorInfo* t = f.find_tensor(p.name);
    if (!t) bad("the " + std::string(f.string("general.architecture")) + " model needs tensor \"" + p.name + "\", which the file lacks");
    if (t->shape() != p.shape) bad("tensor \"" + p.name + "\" has shape " + shape_str(t->shape()) + "; the model needs " + shape_str(p.shape));
    DType d;
    if (!dtype_of_ggml(t->type, d) && t->type != uint32_t(GgmlType::BF16))
      bad("tensor \"" + p.name + "\" has " + ggml_type_label(t->type) +
          "; this build reads f32, f16, bf16, q8_0 and q4_0. Requantize the file with llama.cpp: "
          "llama-quantize --allow-requantize IN.gguf OUT.gguf Q8_0");
    found.push_back(t);
    ++used;
  }
  if (cfg.tie_embeddings && head) ++used;  // the duplicate head
  if (used != f.tensors().size())
    for (const GgufTensorInfo& t : f.tensors()) {
      bool known = t.name == "output.weight" && cfg.tie_embeddings;
      for (const GgufTensorPlan& p : plan) known = known || p.name == t.name;
      if (!known) bad("tensor \"" + std::string(t.name) + "\" is not part of the " + std::string(f.string("general.architecture")) + " model this build reads");
    }
  // Where each layout tensor's values are in the file (a fused q|k|v tensor's row blocks in order).
  struct Source {
    const uint8_t* data;
    DType dtype;
    bool bf16;
  };
  std::vector<Source> sources(layout.size());
  for (size_t i = 0; i < plan.size(); ++i) {
    const uint8_t* p = f.tensor_data(*found[i]);
    DType d = DType::F32;
    const bool bf16 = !dtype_of_ggml(found[i]->type, d);
    for (const ParamTensor* t : plan[i].parts) {
      sources[size_t(t - layout.data())] = {p, d, bf16};
      p += bf16 ? 2 * t->numel : dtype_nbytes(d, t->numel);
    }
  }
  auto decode = [&](size_t i, size_t numel, float* dst) {
    if (sources[i].bf16) decode_bf16(sources[i].data, numel, dst);
    else decode_tensor(sources[i].dtype, sources[i].data, numel, dst);
  };
  if (backing) {
    auto owner = std::make_shared<GgufBacking>();
    owner->file = std::move(backing);
    std::vector<Model::TensorBytes> bytes(layout.size());
    for (size_t i = 0; i < layout.size(); ++i) {
      if (!sources[i].bf16) {
        bytes[i] = {sources[i].dtype, sources[i].data};
        continue;
      }
      owner->widened.emplace_back(size_t(layout[i].numel));
      decode(i, size_t(layout[i].numel), owner->widened.back().data());
      bytes[i] = {DType::F32, reinterpret_cast<const uint8_t*>(owner->widened.back().data())};
    }
    out.model = Model::create_packed(cfg, std::move(layout), bytes, std::move(owner));
  } else {
    out.model = Model::create(cfg, std::move(layout));
    float* params = out.model->params();
    const std::vector<ParamTensor>& tensors = out.model->tensors();
    for (size_t i = 0; i < tensors.size(); ++i) decode(i, size_t(tensors[i].numel), params + tensors[i].offset);
  }
  for (const char* key : {"name", "description"})
    if (const GgufKV* k = f.find(std::string("general.") + key); k && k->type == GgufType::String)
      out.metadata.set(key, std::string(f.string(k->key)));
  return out;
}

}  // namespace

LoadedFile load_gguf(const uint8_t* data, size_t size) { return import_gguf(data, size, nullptr); }

LoadedFile load_gguf(std::shared_ptr<const std::vector<uint8_t>> bytes, const LoadOptions& opts) {
  const uint8_t* data = bytes->data();
  const size_t size = bytes->size();
  return import_gguf(data, size, opts.packed ? std::shared_ptr<const void>(std::move(bytes)) : nullptr);
}

Json gguf_summary(const uint8_t* data, size_t size) {
  GgufFile f = GgufFile::parse(data, size);
  auto tok = read_gguf_tokenizer(f);
  Json j = Json::object();
  j.set("format", "gguf");
  j.set("version", f.version());
  j.set("architecture", std::string(f.string("general.architecture")));
  j.set("model", read_gguf_hparams(f, tok->vocab_size()).to_json());
  Json tensors = Json::array();
  for (const GgufTensorInfo& t : f.tensors()) {
    const GgmlTypeInfo* info = ggml_type_info(t.type);
    Json e = Json::object(), shape = Json::array();
    e.set("name", std::string(t.name));
    e.set("type", info ? info->name : "?");
    for (int64_t d : t.shape()) shape.push(d);
    e.set("shape", std::move(shape));
    e.set("nbytes", t.nbytes);
    if (t.name == "blk.0.ffn_up.weight") j.set("file_type", info ? info->name : "?");
    tensors.push(std::move(e));
  }
  j.set("tensors", std::move(tensors));
  return j;
}

LoadedFile load_any(const uint8_t* data, size_t size) {
  return is_gguf(data, size) ? load_gguf(data, size) : load_file(data, size);
}

}  // namespace sllm
