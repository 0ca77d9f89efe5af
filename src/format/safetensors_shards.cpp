// safetensors_shards.cpp: opening a (maybe sharded) safetensors checkpoint (safetensors_shards.h).
#include "format/safetensors_shards.h"

#include <algorithm>

#include "core/json_reader.h"

namespace sllm {

namespace {

[[noreturn]] void bad_index(const std::string& msg) {
  fail(ErrorCode::Format, std::string("invalid ") + kSafetensorsIndex + ": " + msg);
}

// The index's weight_map as (tensor, shard file) pairs.
std::vector<std::pair<std::string, std::string>> read_index(const ByteSource& src) {
  const std::string text = src.read_all(kSafetensorsIndex, 64u << 20);
  Json j;
  try {
    j = JsonReader::parse_bounded(text);
  } catch (const Error& e) {
    bad_index(std::string("not valid UTF-8 JSON (") + e.what() + ")");
  }
  const Json* map = j.is_object() ? j.find("weight_map") : nullptr;
  if (!map || !map->is_object()) bad_index("it has no \"weight_map\" object (tensor name -> shard file)");
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, file] : map->members()) {
    if (!file.is_string()) bad_index("\"weight_map\" gives \"" + name + "\" a shard that is not a file name");
    out.emplace_back(name, file.as_string());
  }
  return out;
}

}  // namespace

StCheckpoint StCheckpoint::open(const FileSet& files) {
  StCheckpoint c;
  auto add_shard = [&](const std::string& name) -> const Shard* {
    for (const Shard& s : c.shards_)
      if (s.name == name) return &s;
    const ByteSource* f = find_file(files, name);
    if (!f) return nullptr;
    c.shards_.push_back({name, f, read_safetensors_header(*f, name)});
    return &c.shards_.back();
  };
  if (const ByteSource* index = find_file(files, kSafetensorsIndex)) {
    auto map = read_index(*index);
    if (map.empty()) bad_index("\"weight_map\" is empty");
    std::vector<std::string> shard_names;
    for (const auto& kv : map)
      if (std::find(shard_names.begin(), shard_names.end(), kv.second) == shard_names.end()) shard_names.push_back(kv.second);
    c.shards_.reserve(shard_names.size());  // Entry points into shards_: no reallocation
    for (const std::string& s : shard_names)
      if (!add_shard(s)) fail(ErrorCode::Format, std::string(kSafetensorsIndex) + " names the shard " + s + ", which is not among the files; add it");
    for (const auto& [tensor, shard_name] : map) {
      const Shard* shard = add_shard(shard_name);
      const StTensor* t = shard->header.find(tensor);
      if (!t) bad_index("\"weight_map\" puts \"" + tensor + "\" in " + shard_name + ", which does not hold it");
      c.entries_.push_back({tensor, Entry{t, shard}});
    }
  } else if (find_file(files, kSafetensorsFile)) {
    c.shards_.reserve(1);
    const Shard* shard = add_shard(kSafetensorsFile);
    for (const StTensor& t : shard->header.tensors) c.entries_.push_back({t.name, Entry{&t, shard}});
  } else {
    bool bin = find_file(files, "pytorch_model.bin") != nullptr;
    fail(ErrorCode::Format, std::string("no ") + kSafetensorsFile + " or " + kSafetensorsIndex + " among the files" +
                                (bin ? "; pytorch_model.bin (a pickle) is not read: save the model with "
                                       "safe_serialization=True (the default of save_pretrained)"
                                     : ""));
  }
  std::sort(c.entries_.begin(), c.entries_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return c;
}

const StCheckpoint::Entry* StCheckpoint::find(std::string_view name) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), name, [](const auto& e, std::string_view n) { return e.first < n; });
  return it != entries_.end() && it->first == name ? &it->second : nullptr;
}

std::vector<std::string> StCheckpoint::names() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(e.first);
  return out;
}

const std::vector<std::pair<std::string, std::string>>& StCheckpoint::metadata() const {
  static const std::vector<std::pair<std::string, std::string>> none;
  return shards_.empty() ? none : shards_.front().header.metadata;
}

void StCheckpoint::read_f32(const Entry& e, float* dst, std::vector<uint8_t>& scratch) {
  const StTensor& t = *e.tensor;
  const size_t bytes = size_t(t.end - t.begin);
  if (t.dtype == StType::F32) {  // straight into place
    e.shard->file->read(e.shard->header.data_start + t.begin, bytes, dst);
    return;
  }
  if (t.dtype != StType::F16 && t.dtype != StType::BF16)
    fail(ErrorCode::Format, "tensor \"" + t.name + "\" in " + e.shard->name + " has dtype " + st_type_name(t.dtype) +
                                ", which sllm does not read; save the model in F32, F16 or BF16");
  if (scratch.size() < bytes) scratch.resize(bytes);
  e.shard->file->read(e.shard->header.data_start + t.begin, bytes, scratch.data());
  st_to_f32(t.dtype, scratch.data(), size_t(t.numel()), dst);
}

}  // namespace sllm
