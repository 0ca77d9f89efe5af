// byte_source.h: a read-only sequence of bytes the importers read in pieces, so a multi-GB
// checkpoint is never copied whole: a buffer in memory (MemorySource), a file on disk (the
// native tools, src/cli/files.h) or, in the browser, a JavaScript Uint8Array that stays outside
// wasm memory (the bindings). A named set of them is a Hugging Face folder.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace sllm {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Copies n bytes at offset into dst. Throws Error(Internal) unless offset + n <= size()
  // (callers check against size() first and report the file's problem themselves).
  virtual void read(uint64_t offset, size_t n, void* dst) const = 0;

  // The whole source as a string, for small files (JSON). Throws Error(Format) naming `what`
  // when it is larger than max_bytes.
  std::string read_all(const std::string& what, uint64_t max_bytes) const {
    if (size() > max_bytes)
      fail(ErrorCode::Format, what + " is " + std::to_string(size()) + " bytes; more than the " +
                                  std::to_string(max_bytes) + " this reader accepts");
    std::string out(size_t(size()), '\0');
    if (!out.empty()) read(0, out.size(), out.data());
    return out;
  }

 protected:
  void check_range(uint64_t offset, size_t n) const {
    if (offset > size() || n > size() - offset) fail(ErrorCode::Internal, "read past the end of a byte source");
  }
};

// Bytes in memory, not owned (or owned, when built from a string or vector).
class MemorySource final : public ByteSource {
 public:
  MemorySource(const void* data, size_t size) : p_(static_cast<const uint8_t*>(data)), n_(size) {}
  explicit MemorySource(std::string_view s) : MemorySource(s.data(), s.size()) {}
  static std::unique_ptr<MemorySource> owning(std::vector<uint8_t> bytes) {
    auto m = std::unique_ptr<MemorySource>(new MemorySource(nullptr, 0));
    m->own_ = std::move(bytes);
    m->p_ = m->own_.data();
    m->n_ = m->own_.size();
    return m;
  }
  uint64_t size() const override { return n_; }
  void read(uint64_t offset, size_t n, void* dst) const override {
    check_range(offset, n);
    if (n) std::memcpy(dst, p_ + offset, n);
  }
  const uint8_t* data() const { return p_; }

 private:
  const uint8_t* p_;
  size_t n_;
  std::vector<uint8_t> own_;
};

// A folder's files by name (the name without directories, e.g. "config.json"), in any order.
struct NamedSource {
  std::string name;
  std::shared_ptr<const ByteSource> source;
};
using FileSet = std::vector<NamedSource>;

// The source named `name` in files, or nullptr.
inline const ByteSource* find_file(const FileSet& files, std::string_view name) {
  for (const auto& f : files)
    if (f.name == name) return f.source.get();
  return nullptr;
}

}  // namespace sllm
