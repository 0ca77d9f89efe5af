// sllm_reader.cpp: reads SLLM v1 files, applying every check of the spec's "What a reader must
// check" in order and naming the failed one; the tensor set is validated against the model
// before anything model-sized is allocated.
#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"
#include "format/crc32.h"
#include "format/dtype.h"
#include "format/sllm_file.h"

namespace sllm {

namespace {

[[noreturn]] void bad(const std::string& msg) { fail(ErrorCode::Format, "invalid SLLM file: " + msg); }

uint32_t get_u32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }

struct TensorIn {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t numel, offset, nbytes;
};

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

// Check 7 for one entry of "tensors".
TensorIn parse_tensor(const Json& e, size_t index, uint64_t alignment, uint64_t data_size) {
  std::string where = "tensor " + std::to_string(index);
  if (!e.is_object()) bad(where + " is not an object");
  const Json* name = e.find("name");
  if (!name || !name->is_string() || name->as_string().empty()) bad(where + " has no name");
  TensorIn t;
  t.name = name->as_string();
  where += " \"" + t.name + "\"";
  const Json* dtype = e.find("dtype");
  if (!dtype || !dtype->is_string() || !dtype_from_name(dtype->as_string(), t.dtype))
    bad(where + ": unknown dtype" + (dtype && dtype->is_string() ? " \"" + dtype->as_string() + "\"" : ""));
  const Json* shape = e.find("shape");
  if (!shape || !shape->is_array() || shape->size() == 0 || shape->size() > 8)
    bad(where + ": shape must be an array of 1 to 8 dimensions");
  t.numel = 1;
  for (const Json& d : shape->items()) {
    double v = d.is_number() ? d.as_number() : 0;
    if (!(v >= 1) || v != std::floor(v) || v > double(uint64_t(1) << 40)) bad(where + ": every dimension must be a whole number >= 1");
    t.shape.push_back(int64_t(v));
    t.numel *= uint64_t(v);
    if (t.numel > (uint64_t(1) << 40)) bad(where + ": more than 2^40 elements");
  }
  auto whole = [&](const char* key) -> uint64_t {
    const Json* v = e.find(key);
    double d = v && v->is_number() ? v->as_number() : -1;
    if (d < 0 || d != std::floor(d) || d > 9007199254740991.0) bad(where + ": \"" + key + "\" must be a whole number >= 0");
    return uint64_t(d);
  };
  t.offset = whole("offset");
  t.nbytes = whole("nbytes");
  bool blocks = t.dtype == DType::Q8_0 || t.dtype == DType::Q4_0;
  if (blocks && t.shape.back() % kQuantBlock != 0)
    bad(where + ": " + dtype_name(t.dtype) + " needs an innermost dimension that is a multiple of 32");
  uint64_t expect = dtype_nbytes(t.dtype, t.numel);
  if (t.nbytes != expect)
    bad(where + ": nbytes " + std::to_string(t.nbytes) + " does not match its dtype and shape (" +
        std::to_string(expect) + ")");
  if (t.offset % alignment != 0) bad(where + ": offset is not a multiple of the alignment");
  if (t.offset > data_size || t.nbytes > data_size - t.offset) bad(where + ": data runs past the end of the data section");
  return t;
}

// Check 9: exactly the tensors the model calls for (plus optimizer state in a checkpoint).
void check_tensor_set(const std::map<std::string, const TensorIn*>& by_name, const std::vector<ParamTensor>& layout,
                      bool checkpoint) {
  size_t expected = layout.size() * (checkpoint ? 3 : 1);
  for (const auto& p : layout) {
    for (const std::string& name : {p.name, "optim.m." + p.name, "optim.v." + p.name}) {
      bool optim = name != p.name;
      if (optim && !checkpoint) continue;
      auto it = by_name.find(name);
      if (it == by_name.end()) bad("the model needs tensor \"" + name + "\", which the file lacks");
      if (it->second->shape != p.shape)
        bad("tensor \"" + name + "\" has shape " + shape_str(it->second->shape) + "; the model needs " + shape_str(p.shape));
      if (optim && it->second->dtype != DType::F32) bad("optimizer tensor \"" + name + "\" must be f32");
    }
  }
  if (by_name.size() != expected)
    for (const auto& [name, t] : by_name) {
      bool known = false;
      for (const auto& p : layout)
        known |= name == p.name || (checkpoint && (name == "optim.m." + p.name || name == "optim.v." + p.name));
      if (!known) bad("tensor \"" + name + "\" is not part of this model");
    }
}

}  // namespace

LoadedFile load_file(const uint8_t* data, size_t size) {
  // 1. size and magic
  if (size < 20) bad("the file is " + std::to_string(size) + " bytes; an SLLM file has at least 20 (truncated?)");
  if (data[0] != 'S' || data[1] != 'L' || data[2] != 'L' || data[3] != 'M')
    bad("bad magic: this is not an SLLM model file");
  // 2. version
  const uint32_t version = get_u32(data + 4);
  if (version != 1)
    fail(ErrorCode::Format, "unsupported SLLM version " + std::to_string(version) + "; this build reads 1");
  // 3. alignment
  const uint32_t align = get_u32(data + 12);
  if (align < 8 || align > 4096 || (align & (align - 1)) != 0)
    bad("alignment " + std::to_string(align) + " is not a power of two from 8 to 4096");
  // 4. header length
  const uint64_t H = get_u32(data + 8);
  if (H > (64u << 20)) bad("header length " + std::to_string(H) + " exceeds 64 MiB");
  if (16 + H > uint64_t(size) - 4) bad("header length " + std::to_string(H) + " runs past the end of the file (truncated?)");
  // 5. checksum
  if (crc32(data, size - 4) != get_u32(data + size - 4))
    fail(ErrorCode::Format, "checksum mismatch: the file is corrupt or truncated");
  // 6. the JSON header
  Json header;
  try {
    header = Json::parse(std::string_view(reinterpret_cast<const char*>(data) + 16, size_t(H)));
  } catch (const Error& e) {
    bad(std::string("the header is not valid UTF-8 JSON (") + e.what() + ")");
  }
  if (!header.is_object()) bad("the header is not a JSON object");
  const Json* model_j = header.find("model");
  const Json* tok_j = header.find("tokenizer");
  const Json* tensors_j = header.find("tensors");
  const Json* training_j = header.find("training");
  const Json* meta_j = header.find("metadata");
  if (!model_j || !model_j->is_object()) bad("the header's \"model\" member is missing or not an object");
  if (!tok_j || !tok_j->is_object()) bad("the header's \"tokenizer\" member is missing or not an object");
  if (!tensors_j || !tensors_j->is_array()) bad("the header's \"tensors\" member is missing or not an array");
  if (training_j && !training_j->is_object()) bad("the header's \"training\" member is not an object");
  if (meta_j && !meta_j->is_object()) bad("the header's \"metadata\" member is not an object");
  if (meta_j)
    for (const auto& m : meta_j->members())
      if (!m.second.is_string()) bad("metadata \"" + m.first + "\" is not a string");
  const uint64_t data_start = (16 + H + align - 1) / align * align;
  if (data_start > uint64_t(size) - 4) bad("the data section starts past the end of the file (truncated?)");
  for (uint64_t i = 16 + H; i < data_start; ++i)
    if (data[i] != 0) bad("the padding after the header is not zero bytes");
  const uint64_t data_size = uint64_t(size) - 4 - data_start;
  // 7. every tensor
  std::vector<TensorIn> tensors;
  tensors.reserve(tensors_j->size());
  for (size_t i = 0; i < tensors_j->size(); ++i) tensors.push_back(parse_tensor(tensors_j->items()[i], i, align, data_size));
  std::map<std::string, const TensorIn*> by_name;
  for (const auto& t : tensors)
    if (!by_name.emplace(t.name, &t).second) bad("tensor name \"" + t.name + "\" appears twice");
  std::vector<const TensorIn*> sorted;
  for (const auto& t : tensors) sorted.push_back(&t);
  std::sort(sorted.begin(), sorted.end(), [](auto a, auto b) { return a->offset < b->offset; });
  uint64_t end = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0 && sorted[i]->offset < sorted[i - 1]->offset + sorted[i - 1]->nbytes)
      bad("tensors \"" + sorted[i - 1]->name + "\" and \"" + sorted[i]->name + "\" overlap");
    end = std::max(end, sorted[i]->offset + sorted[i]->nbytes);
  }
  // 8. exact size
  if (uint64_t(size) != data_start + end + 4)
    bad("the file is " + std::to_string(size) + " bytes but its header describes " + std::to_string(data_start + end + 4));
  // 9. the tensor set the model calls for
  ModelConfig cfg;
  try {
    cfg = ModelConfig::from_json(*model_j);
  } catch (const Error& e) {
    bad(std::string("the header's \"model\": ") + e.what());
  }
  const std::vector<ParamTensor> layout = gpt_tensor_layout(cfg);
  check_tensor_set(by_name, layout, training_j != nullptr);

  LoadedFile out;
  out.tokenizer = Tokenizer::from_json(*tok_j);
  if (out.tokenizer->vocab_size() != cfg.vocab_size)
    bad("the tokenizer has " + std::to_string(out.tokenizer->vocab_size()) + " tokens but the model's vocab_size is " +
        std::to_string(cfg.vocab_size));
  if (meta_j) out.metadata = *meta_j;
  // Only now allocate: every tensor is known to be inside the file.
  out.model = std::make_unique<GPT>(cfg, false);  // every weight is decoded below
  const uint8_t* section = data + data_start;
  for (const auto& p : layout) {
    const TensorIn* t = by_name.at(p.name);
    decode_tensor(t->dtype, section + t->offset, size_t(t->numel), out.model->params() + p.offset);
  }
  if (training_j) {
    out.checkpoint = std::make_unique<CheckpointState>(checkpoint_from_json(*training_j));
    for (auto* slot : {&out.checkpoint->m, &out.checkpoint->v}) {
      slot->assign(out.model->num_params(), 0.0f);
      const std::string prefix = slot == &out.checkpoint->m ? "optim.m." : "optim.v.";
      for (const auto& p : layout) {
        const TensorIn* t = by_name.at(prefix + p.name);
        decode_tensor(t->dtype, section + t->offset, size_t(t->numel), slot->data() + p.offset);
      }
    }
  }
  out.header = std::move(header);
  return out;
}

}  // namespace sllm
