// safetensors_shards.h: a checkpoint stored as one model.safetensors or as shards listed by
// model.safetensors.index.json ({"metadata": {...}, "weight_map": {tensor name: shard file}}),
// as Hugging Face's save_pretrained writes them. Opening reads and validates every shard's
// header (never the data); tensors are then read one at a time, converted to f32.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "format/byte_source.h"
#include "format/safetensors.h"

namespace sllm {

inline constexpr const char* kSafetensorsFile = "model.safetensors";
inline constexpr const char* kSafetensorsIndex = "model.safetensors.index.json";

class StCheckpoint {
 public:
  struct Shard {
    std::string name;
    const ByteSource* file = nullptr;
    StHeader header;
  };
  struct Entry {
    const StTensor* tensor;
    const Shard* shard;
  };

  StCheckpoint(StCheckpoint&&) = default;  // entries point into shards_, whose buffer moves along
  StCheckpoint(const StCheckpoint&) = delete;
  StCheckpoint& operator=(const StCheckpoint&) = delete;

  // From the folder's files: model.safetensors.index.json and the shards it names, else
  // model.safetensors. Throws Error(Format) naming the missing or inconsistent file.
  static StCheckpoint open(const FileSet& files);

  // The tensor called name, or nullptr.
  const Entry* find(std::string_view name) const;
  // Every tensor name, sorted.
  std::vector<std::string> names() const;
  const std::vector<Shard>& shards() const { return shards_; }
  // The metadata of the first shard (e.g. {"format": "pt"}).
  const std::vector<std::pair<std::string, std::string>>& metadata() const;

  // Reads e's values into dst (numel floats), converting from F32/F16/BF16; scratch holds the
  // raw bytes meanwhile (grown as needed, reused across calls).
  static void read_f32(const Entry& e, float* dst, std::vector<uint8_t>& scratch);

 private:
  StCheckpoint() = default;
  std::vector<Shard> shards_;
  std::vector<std::pair<std::string, Entry>> entries_;  // sorted by name
};

}  // namespace sllm
