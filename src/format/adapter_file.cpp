// adapter_file.cpp: LoRA adapter files (see adapter_file.h): the base checksum, the adapter
// header member, writing an adapter and attaching a loaded one to its base.
#include "format/adapter_file.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "format/crc32.h"
#include "kernels/quant_kernels.h"

namespace sllm {

namespace {
[[noreturn]] void bad(const std::string& msg) { fail(ErrorCode::Format, "invalid SLLM adapter file: " + msg); }

// The base tensor name of target t in layer l, as the spec's `targets` list names it.
std::string target_name(int l, int t) {
  return "blk." + std::to_string(l) + "." + lora_target_name(LoraTarget(t)) + ".weight";
}
}  // namespace

namespace {
// crc continued over n floats' little-endian bytes.
uint32_t crc_floats(const float* v, size_t n, uint32_t crc) {
  uint8_t bytes[4096];
  for (size_t i = 0; i < n;) {
    const size_t m = std::min(n - i, sizeof bytes / 4);
    for (size_t k = 0; k < m; ++k) {
      uint32_t u;
      std::memcpy(&u, v + i + k, 4);
      for (int b = 0; b < 4; ++b) bytes[4 * k + size_t(b)] = uint8_t(u >> (8 * b));
    }
    crc = crc32(bytes, 4 * m, crc);
    i += m;
  }
  return crc;
}
}  // namespace

uint32_t base_checksum(const Model& base) {
  // A packed tensor's f32 values are decoded a row at a time (never the whole model in f32).
  uint32_t crc = 0;
  std::vector<float> row;
  for (size_t i = 0; i < base.tensors().size(); ++i) {
    if (const float* v = base.tensor_f32(i)) {
      crc = crc_floats(v, size_t(base.tensors()[i].numel), crc);
      continue;
    }
    const WeightView w = base.weight(i);
    row.resize(size_t(w.cols));
    for (int r = 0; r < w.rows; ++r) {
      embedding_row(row.data(), w, r);
      crc = crc_floats(row.data(), row.size(), crc);
    }
  }
  return crc;
}

std::string checksum_string(uint32_t crc) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "crc32:%08x", crc);
  return buf;
}

AdapterHeader adapter_from_json(const Json& j, const ModelConfig& model) {
  if (!j.is_object()) bad("\"adapter\" must be an object");
  AdapterHeader h;
  const Json* type = j.find("type");
  if (!type || !type->is_string() || type->as_string() != "lora")
    bad("adapter \"type\" must be \"lora\" (the only kind this build reads)");
  auto number = [&](const char* key, double lo, double hi) {
    const Json* v = j.find(key);
    if (!v || !v->is_number() || !(v->as_number() >= lo && v->as_number() <= hi))
      bad(std::string("adapter \"") + key + "\" must be a number from " + std::to_string(lo) + " to " +
          std::to_string(hi));
    return v->as_number();
  };
  const double rank = number("rank", 1, 1 << 16);
  if (rank != std::floor(rank)) bad("adapter \"rank\" must be a whole number");
  h.lora.rank = int(rank);
  h.lora.alpha = float(number("alpha", 1e-6, 1e6));
  if (j.find("dropout")) h.lora.dropout = float(number("dropout", 0, 0.999));
  const Json* base = j.find("base");
  unsigned crc = 0;
  char tail = 0;
  if (!base || !base->is_string() || base->as_string().size() != 14 ||
      std::sscanf(base->as_string().c_str(), "crc32:%8x%c", &crc, &tail) != 1)
    bad("adapter \"base\" must be the base model's checksum, \"crc32:\" and 8 hex digits");
  h.base = uint32_t(crc);
  // targets: every layer's tensor of each target (adapters here cover all layers alike).
  const Json* targets = j.find("targets");
  if (!targets || !targets->is_array() || targets->size() == 0) bad("adapter \"targets\" must be a list of tensor names");
  std::vector<int> per_target(kLoraTargets, 0);
  for (const Json& t : targets->items()) {
    const std::string name = t.is_string() ? t.as_string() : "";
    bool known = false;
    for (int l = 0; l < model.layers && !known; ++l)
      for (int k = 0; k < kLoraTargets && !known; ++k)
        if (name == target_name(l, k)) {
          known = true;
          ++per_target[size_t(k)];
          h.lora.targets |= 1u << k;
        }
    if (!known) bad("adapter target \"" + name + "\" is not a linear layer of this " + model.arch + " model");
  }
  for (int k = 0; k < kLoraTargets; ++k)
    if (per_target[size_t(k)] != 0 && per_target[size_t(k)] != model.layers)
      bad(std::string("adapter targets name ") + lora_target_name(LoraTarget(k)) + " in " +
          std::to_string(per_target[size_t(k)]) + " of the " + std::to_string(model.layers) +
          " layers; this build reads adapters on every layer (or a duplicated name)");
  try {
    Lora::layout(model, h.lora);  // the rank fits every target, the architecture has them
  } catch (const Error& e) {
    bad(e.what());
  }
  return h;
}

Json adapter_json(const Lora& lora, const ModelConfig& model) {
  const LoraConfig& c = lora.config();
  Json j = Json::object();
  j.set("type", "lora");
  j.set("rank", c.rank);
  j.set("alpha", json_float(c.alpha));
  j.set("dropout", json_float(c.dropout));
  Json targets = Json::array();
  for (int l = 0; l < model.layers; ++l)
    for (int k = 0; k < kLoraTargets; ++k)
      if (c.targets & (1u << k)) targets.push(target_name(l, k));
  j.set("targets", std::move(targets));
  j.set("base", checksum_string(lora.base_checksum));
  return j;
}

void attach_adapter(Model& model, std::unique_ptr<Lora> lora, const ModelConfig& made_for) {
  const ModelConfig& c = model.config();
  if (made_for.arch != c.arch || made_for.vocab_size != c.vocab_size || made_for.dim != c.dim ||
      made_for.layers != c.layers || made_for.heads != c.heads || made_for.kv_heads != c.kv_heads ||
      made_for.ffn_dim != c.ffn_dim || made_for.context_length != c.context_length ||
      made_for.tie_embeddings != c.tie_embeddings)
    fail(ErrorCode::Config, "this adapter was made for another model: a " + made_for.arch + " model of dim " +
                                std::to_string(made_for.dim) + ", " + std::to_string(made_for.layers) + " layers, " +
                                std::to_string(made_for.heads) + " heads, vocabulary " +
                                std::to_string(made_for.vocab_size) + "; this is a " + c.arch + " model of dim " +
                                std::to_string(c.dim) + ", " + std::to_string(c.layers) + " layers, " +
                                std::to_string(c.heads) + " heads, vocabulary " + std::to_string(c.vocab_size));
  const uint32_t have = base_checksum(model);
  if (have != lora->base_checksum)
    fail(ErrorCode::Config, "this adapter was trained on other weights (its base is " +
                                checksum_string(lora->base_checksum) + ", this model is " + checksum_string(have) +
                                "): load it onto the model it was trained on");
  model.attach_lora(std::move(lora));
}

const Model& merged_view(const Model& model, std::unique_ptr<Model>& out) {
  const Lora* l = model.lora();
  if (!l || !l->enabled) return model;
  out = Model::create(model.config(), false);
  std::vector<float> buf;  // a packed base's f32 values
  const float* w = model.f32_slab(buf);
  std::copy(w, w + model.num_params(), out->params());
  auto copy = std::make_unique<Lora>(model.config(), l->config());
  std::copy(l->params(), l->params() + l->num_params(), copy->params());
  out->attach_lora(std::move(copy));
  out->merge_lora();
  return *out;
}

std::unique_ptr<Trainer> resume_adapter_trainer(Model& base, LoadedAdapter& a, const TokenDataset& data) {
  if (!a.checkpoint || !a.lora)
    fail(ErrorCode::InvalidArgument, "this adapter file is not a LoRA run's checkpoint: it cannot resume training");
  attach_adapter(base, std::move(a.lora), a.config);
  base.set_dropout(a.config.dropout);  // the run's, as its checkpoint's model member says
  return resume_trainer(base, *a.checkpoint, data);
}

}  // namespace sllm
