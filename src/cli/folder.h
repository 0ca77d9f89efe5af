// folder.h: Hugging Face model folders for the native tools: a directory's files as a FileSet
// whose sources read from disk on demand (a multi-GB checkpoint is never loaded whole), and
// writing a set of named files into a directory (each atomically, see files.h).
#pragma once
#include <sys/stat.h>

#include <cstdio>
#include <dirent.h>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/files.h"
#include "format/byte_source.h"

namespace sllm::cli {

// A file on disk, read in pieces.
class FileSource final : public ByteSource {
 public:
  explicit FileSource(const std::string& path) : f_(std::fopen(path.c_str(), "rb")) {
    if (!f_ || std::fseek(f_, 0, SEEK_END) != 0) Args::die("cannot open " + path);
    size_ = uint64_t(std::ftell(f_));
  }
  ~FileSource() override {
    if (f_) std::fclose(f_);
  }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  uint64_t size() const override { return size_; }
  void read(uint64_t offset, size_t n, void* dst) const override {
    check_range(offset, n);
    if (n && (std::fseek(f_, long(offset), SEEK_SET) != 0 || std::fread(dst, 1, n, f_) != n))
      fail(ErrorCode::Format, "reading failed at byte " + std::to_string(offset));
  }

 private:
  std::FILE* f_;
  uint64_t size_ = 0;
};

inline bool is_directory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The regular files of dir, by name.
inline FileSet read_folder(const std::string& dir) {
  FileSet files;
  DIR* d = opendir(dir.c_str());
  if (!d) Args::die("cannot open the folder " + dir);
  while (dirent* e = readdir(d)) {
    const std::string path = dir + "/" + e->d_name;
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) files.push_back({e->d_name, std::make_shared<FileSource>(path)});
  }
  closedir(d);
  return files;
}

inline void write_folder(const std::string& dir, const std::vector<std::pair<std::string, std::vector<uint8_t>>>& files) {
  if (!is_directory(dir) && mkdir(dir.c_str(), 0755) != 0) Args::die("cannot create the folder " + dir);
  for (const auto& [name, bytes] : files) write_file(dir + "/" + name, bytes);
}

}  // namespace sllm::cli
