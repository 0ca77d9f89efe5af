// sllm_reader.cpp: reads SLLM v1 files, applying every check of the spec's "What a reader must
// check" in order and naming the failed one; the tensor set is validated against the model
// before anything model-sized is allocated.
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "format/crc32.h"
#include "format/dtype.h"
#include "format/header_reader.h"
#include "format/adapter_file.h"
#include "format/sllm_file.h"
#include "model/architecture.h"

namespace sllm {

namespace {

[[noreturn]] void bad(const std::string& msg) { fail(ErrorCode::Format, "invalid SLLM file: " + msg); }

uint32_t get_u32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }

const char* const kSlotPrefix[3] = {"", "optim.m.", "optim.v."};

// What the reader keeps of one tensor entry: no strings or vectors, so the list takes less
// memory than its own text (names are looked up in the model's layout as they are read).
struct TensorIn {
  int32_t param = -1;    // index in the model's layout; -1 when the name is not one of its tensors
  uint8_t slot = 0;      // 0 the weights, 1 optim.m, 2 optim.v
  DType dtype = DType::F32;
  int32_t shape_msg = -1;  // index of "has shape ...; the model needs ..." when the shape differs
  int32_t unknown = -1;    // index of its name among the unknown names
  uint64_t numel = 0, offset = 0, nbytes = 0;
};

// The tensors of "tensors" against the model's layout: checks 7 and 9 (and 8's D).
class TensorTable {
 public:
  TensorTable(const std::vector<ParamTensor>& layout, bool checkpoint, size_t listed)
      : layout_(layout), slots_(checkpoint ? 3 : 1), where_(layout.size() * 3, -1), by_name_(layout.size()) {
    for (size_t i = 0; i < by_name_.size(); ++i) by_name_[i] = int32_t(i);
    std::sort(by_name_.begin(), by_name_.end(), [&](int32_t a, int32_t b) { return layout[a].name < layout[b].name; });
    tensors_.reserve(listed);
  }

  // Check 7 for one entry of "tensors".
  void add(const Json& e, size_t index, uint64_t alignment, uint64_t data_size) {
    std::string where = "tensor " + std::to_string(index);
    if (!e.is_object()) bad(where + " is not an object");
    const Json* name = e.find("name");
    if (!name || !name->is_string() || name->as_string().empty()) bad(where + " has no name");
    TensorIn t;
    const std::string& n = name->as_string();
    where += " \"" + n + "\"";
    locate(n, t);
    const Json* dtype = e.find("dtype");
    if (!dtype || !dtype->is_string() || !dtype_from_name(dtype->as_string(), t.dtype))
      bad(where + ": unknown dtype" + (dtype && dtype->is_string() ? " \"" + dtype->as_string() + "\"" : ""));
    const Json* shape = e.find("shape");
    if (!shape || !shape->is_array() || shape->size() == 0 || shape->size() > 8)
      bad(where + ": shape must be an array of 1 to 8 dimensions");
    std::vector<int64_t> dims;
    t.numel = 1;
    for (const Json& d : shape->items()) {
      double v = d.is_number() ? d.as_number() : 0;
      if (!(v >= 1) || v != std::floor(v) || v > double(uint64_t(1) << 40)) bad(where + ": every dimension must be a whole number >= 1");
      dims.push_back(int64_t(v));
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
    if (blocks && dims.back() % kQuantBlock != 0)
      bad(where + ": " + dtype_name(t.dtype) + " needs an innermost dimension that is a multiple of 32");
    uint64_t expect = dtype_nbytes(t.dtype, t.numel);
    if (t.nbytes != expect)
      bad(where + ": nbytes " + std::to_string(t.nbytes) + " does not match its dtype and shape (" +
          std::to_string(expect) + ")");
    if (t.offset % alignment != 0) bad(where + ": offset is not a multiple of the alignment");
    if (t.offset > data_size || t.nbytes > data_size - t.offset) bad(where + ": data runs past the end of the data section");
    if (t.param >= 0) {
      int32_t& w = where_[size_t(t.param) * 3 + t.slot];
      if (w >= 0) bad("tensor name \"" + n + "\" appears twice");
      w = int32_t(tensors_.size());
      if (dims != layout_[t.param].shape) {
        t.shape_msg = int32_t(messages_.size());
        messages_.push_back("tensor \"" + n + "\" has shape " + shape_str(dims) + "; the model needs " +
                            shape_str(layout_[t.param].shape));
      }
    }
    tensors_.push_back(t);
  }

  // The rest of check 7 (no overlaps); returns D, the end of the last tensor's data.
  uint64_t data_end() const {
    std::vector<uint32_t> sorted(tensors_.size());
    for (size_t i = 0; i < sorted.size(); ++i) sorted[i] = uint32_t(i);
    std::sort(sorted.begin(), sorted.end(), [&](auto a, auto b) { return tensors_[a].offset < tensors_[b].offset; });
    uint64_t end = 0;
    for (size_t i = 0; i < sorted.size(); ++i) {
      const TensorIn &a = tensors_[sorted[i > 0 ? i - 1 : 0]], &b = tensors_[sorted[i]];
      if (i > 0 && b.offset < a.offset + a.nbytes) bad("tensors \"" + name(a) + "\" and \"" + name(b) + "\" overlap");
      end = std::max(end, b.offset + b.nbytes);
    }
    return end;
  }

  // Check 9: exactly the tensors the model calls for (plus optimizer state in a checkpoint).
  void check_set() const {
    for (size_t p = 0; p < layout_.size(); ++p)
      for (int slot = 0; slot < slots_; ++slot) {
        int32_t w = where_[p * 3 + size_t(slot)];
        std::string n = kSlotPrefix[slot] + layout_[p].name;
        if (w < 0) bad("the model needs tensor \"" + n + "\", which the file lacks");
        if (tensors_[w].shape_msg >= 0) bad(messages_[size_t(tensors_[w].shape_msg)]);
        if (slot > 0 && tensors_[w].dtype != DType::F32) bad("optimizer tensor \"" + n + "\" must be f32");
      }
    for (const TensorIn& t : tensors_)
      if (t.param < 0) bad("tensor \"" + name(t) + "\" is not part of this model");
  }

  // The entry of layout tensor p in the given slot (after check_set).
  const TensorIn& at(size_t p, int slot) const { return tensors_[size_t(where_[p * 3 + size_t(slot)])]; }

 private:
  const std::vector<ParamTensor>& layout_;
  int slots_;
  std::vector<int32_t> where_;    // (layout, 3) index in tensors_ of each tensor and slot, or -1
  std::vector<int32_t> by_name_;  // layout indices sorted by name
  std::vector<TensorIn> tensors_;
  std::vector<std::string> messages_, unknown_;

  void locate(const std::string& n, TensorIn& t) {
    std::string_view base = n;
    for (uint8_t slot = uint8_t(slots_ - 1); slot > 0; --slot)
      if (base.substr(0, 8) == kSlotPrefix[slot]) {
        base.remove_prefix(8);
        t.slot = slot;
        break;
      }
    auto it = std::lower_bound(by_name_.begin(), by_name_.end(), base,
                               [&](int32_t a, std::string_view b) { return layout_[a].name < b; });
    if (it != by_name_.end() && layout_[*it].name == base) {
      t.param = *it;
    } else {
      t.slot = 0;
      t.unknown = int32_t(unknown_.size());
      unknown_.push_back(n);
    }
  }
  std::string name(const TensorIn& t) const {
    return t.param >= 0 ? kSlotPrefix[t.slot] + layout_[t.param].name : unknown_[size_t(t.unknown)];
  }
};

}  // namespace

std::string_view header_text(const uint8_t* data, size_t size) {
  if (size < 20) return {};
  const uint64_t H = get_u32(data + 8);
  if (16 + H > uint64_t(size) - 4) return {};
  return std::string_view(reinterpret_cast<const char*>(data) + 16, size_t(H));
}

namespace {

// Reads a model file into *model_out or an adapter file into *adapter_out; the other kind gets
// an error saying what the file is and what to do with it. With backing (the bytes at data), a
// model's matrices stay in them, packed (not a checkpoint's).
void read_file(const uint8_t* data, size_t size, LoadedFile* model_out, LoadedAdapter* adapter_out,
               std::shared_ptr<const std::vector<uint8_t>> backing = nullptr) {
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
  // 6. the JSON header. What it builds may take at most the file's size (unknown members are
  // skipped, the tensor list is read an entry at a time, the tokenizer's strings go straight
  // into the tokenizer), and the model it describes is allocated only once its tensors are
  // known to be in the file: so reading never allocates more than the file plus that model.
  HeaderReader header(std::string_view(reinterpret_cast<const char*>(data) + 16, size_t(H)), size);
  const uint64_t data_start = (16 + H + align - 1) / align * align;
  if (data_start > uint64_t(size) - 4) bad("the data section starts past the end of the file (truncated?)");
  for (uint64_t i = 16 + H; i < data_start; ++i)
    if (data[i] != 0) bad("the padding after the header is not zero bytes");
  const uint64_t data_size = uint64_t(size) - 4 - data_start;
  // The model (check 9's first half) comes before the tensors so that a list longer than the
  // model calls for is refused before it is held in memory.
  ModelConfig cfg;
  try {
    cfg = ModelConfig::from_json(header.model());
  } catch (const Error& e) {
    bad(std::string("the header's \"model\": ") + e.what());
  }
  const Json* adapter = header.model().find("adapter");
  AdapterHeader ah;
  if (adapter) ah = adapter_from_json(*adapter, cfg);
  if (adapter && !adapter_out)
    fail(ErrorCode::AdapterFile, "this file is a LoRA adapter (rank " + std::to_string(ah.lora.rank) + " on " +
                                LoraConfig::targets_string(ah.lora.targets) +
                                "), not a model: load the model it was made for, then this adapter onto it");
  if (!adapter && !model_out)
    fail(ErrorCode::Format, "this file is a model, not a LoRA adapter (its header's \"model\" has no \"adapter\")");
  // The tensors the file must hold: the model's (moved into it below) or the adapter's.
  std::vector<ParamTensor> layout = adapter ? Lora::layout(cfg, ah.lora) : build_layout(cfg);
  const bool checkpoint = header.training() != nullptr;
  const size_t listed = header.tensor_count(), needed = layout.size() * (checkpoint ? 3 : 1);
  if (listed > needed) {
    // Too many to hold: name the first that does not belong (a bias in a llama file, say),
    // looking at the entries one at a time without keeping them.
    const std::string counts =
        " (the header lists " + std::to_string(listed) + " tensors; the model calls for " + std::to_string(needed) + ")";
    std::vector<std::string_view> names;
    for (const ParamTensor& t : layout) names.push_back(t.name);
    std::sort(names.begin(), names.end());
    header.each_tensor([&](size_t, const Json& e) {
      const Json* name = e.is_object() ? e.find("name") : nullptr;
      if (!name || !name->is_string()) return;
      std::string_view n = name->as_string();
      if (checkpoint && (n.substr(0, 8) == "optim.m." || n.substr(0, 8) == "optim.v.")) n.remove_prefix(8);
      if (!std::binary_search(names.begin(), names.end(), n))
        bad("tensor \"" + name->as_string() + "\" is not part of this model" + counts);
    });
    bad("the header lists " + std::to_string(listed) + " tensors; the model calls for " + std::to_string(needed));
  }
  // 7. every tensor
  TensorTable table(layout, checkpoint, listed);  // uses layout until check_set()
  header.each_tensor([&](size_t i, const Json& e) { table.add(e, i, align, data_size); });
  const uint64_t end = table.data_end();
  // 8. exact size
  if (uint64_t(size) != data_start + end + 4)
    bad("the file is " + std::to_string(size) + " bytes but its header describes " + std::to_string(data_start + end + 4));
  // 9. the tensor set the model calls for
  table.check_set();

  std::unique_ptr<Tokenizer> tokenizer;
  const TokenizerSource& tok = header.tokenizer();
  const int64_t n_tokens = tok.count("tokens", "tokenizer");
  if (n_tokens >= 0 && n_tokens != cfg.vocab_size)
    bad("the tokenizer has " + std::to_string(n_tokens) + " tokens but the model's vocab_size is " +
        std::to_string(cfg.vocab_size));
  tokenizer = Tokenizer::from_source(tok);
  if (tokenizer->vocab_size() != cfg.vocab_size)
    bad("the tokenizer has " + std::to_string(tokenizer->vocab_size()) + " tokens but the model's vocab_size is " +
        std::to_string(cfg.vocab_size));
  Json metadata = header.metadata() ? *header.metadata() : Json::object();
  // Only now allocate: every tensor is known to be inside the file.
  const uint8_t* section = data + data_start;
  if (backing && !checkpoint && model_out) {  // packed: the matrices stay in the file's bytes
    std::vector<Model::TensorBytes> bytes(layout.size());
    for (size_t p = 0; p < layout.size(); ++p) bytes[p] = {table.at(p, 0).dtype, section + table.at(p, 0).offset};
    model_out->model = Model::create_packed(cfg, std::move(layout), bytes, std::move(backing));
    model_out->tokenizer = std::move(tokenizer);
    model_out->metadata = std::move(metadata);
    return;
  }
  if (!adapter) check_weights_fit(cfg, cfg.param_count());
  const uint64_t floats = layout_floats(layout);
  auto decode = [&](const std::vector<ParamTensor>& tensors, int slot, float* dst) {
    for (size_t p = 0; p < tensors.size(); ++p) {
      const TensorIn& t = table.at(p, slot);
      decode_tensor(t.dtype, section + t.offset, size_t(t.numel), dst + tensors[p].offset);
    }
  };
  std::unique_ptr<CheckpointState> state;
  if (checkpoint) {
    state = std::make_unique<CheckpointState>(checkpoint_from_json(*header.training()));
    for (int slot : {1, 2}) {
      std::vector<float>& moments = slot == 1 ? state->m : state->v;
      moments.assign(size_t(floats), 0.0f);
      decode(layout, slot, moments.data());
    }
  }
  if (adapter) {
    adapter_out->config = cfg;
    adapter_out->lora = std::make_unique<Lora>(cfg, ah.lora);
    adapter_out->lora->base_checksum = ah.base;
    decode(layout, 0, adapter_out->lora->params());
    adapter_out->tokenizer = std::move(tokenizer);
    adapter_out->metadata = std::move(metadata);
    adapter_out->checkpoint = std::move(state);
    return;
  }
  model_out->model = Model::create(cfg, std::move(layout));  // zero weights, all decoded below
  decode(model_out->model->tensors(), 0, model_out->model->params());
  model_out->tokenizer = std::move(tokenizer);
  model_out->metadata = std::move(metadata);
  model_out->checkpoint = std::move(state);
}

}  // namespace

LoadedFile load_file(const uint8_t* data, size_t size) {
  LoadedFile out;
  read_file(data, size, &out, nullptr);
  return out;
}

LoadedFile load_file(std::shared_ptr<const std::vector<uint8_t>> bytes, const LoadOptions& opts) {
  const uint8_t* data = bytes->data();
  const size_t size = bytes->size();
  LoadedFile out;
  read_file(data, size, &out, nullptr, opts.packed ? std::move(bytes) : nullptr);
  return out;
}

LoadedAdapter load_adapter(const uint8_t* data, size_t size) {
  LoadedAdapter out;
  read_file(data, size, nullptr, &out);
  return out;
}

}  // namespace sllm
