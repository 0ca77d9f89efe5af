// format_util.h: helpers for the SLLM format tests: a small trained-looking model of either
// architecture, and
// re-assembling a file from an edited header and data section with a correct checksum, so a
// test can break exactly one of the reader's checks.
#pragma once
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "format/crc32.h"
#include "format/sllm_file.h"
#include "tokenizer/char_tokenizer.h"

namespace sllm::test {

struct SmallModel {
  std::unique_ptr<CharTokenizer> tok;
  std::unique_ptr<Model> model;
};

// gpt, or llama with 2 query heads sharing 1 key/value head.
inline SmallModel small_model(bool tied = true, int dim = 32, const std::string& arch = "gpt") {
  SmallModel m;
  m.tok = CharTokenizer::train("hello world, this is a tiny corpus!\n");
  ModelConfig c;
  c.vocab_size = m.tok->vocab_size();
  c.context_length = 16;
  c.dim = dim;
  c.layers = 2;
  c.heads = 2;
  c.kv_heads = arch == "gpt" ? 2 : 1;
  c.ffn_dim = 64;
  c.tie_embeddings = tied;
  c.arch = arch;
  m.model = Model::create(c);
  Rng rng(5);
  for (size_t i = 0; i < m.model->num_params(); ++i) m.model->params()[i] += 0.05f * rng.normal();
  return m;
}

inline uint32_t read_u32(const std::vector<uint8_t>& f, size_t at) {
  return uint32_t(f[at]) | uint32_t(f[at + 1]) << 8 | uint32_t(f[at + 2]) << 16 | uint32_t(f[at + 3]) << 24;
}
inline void write_u32(std::vector<uint8_t>& f, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) f[at + size_t(i)] = uint8_t(v >> (8 * i));
}
inline void fix_crc(std::vector<uint8_t>& f) { write_u32(f, f.size() - 4, crc32(f.data(), f.size() - 4)); }

// A file split into its parts, and put back together (recomputing padding and the CRC).
struct FileParts {
  uint32_t version = 1, alignment = 64;
  std::string header;            // JSON text
  std::vector<uint8_t> section;  // the data section
  static FileParts split(const std::vector<uint8_t>& f) {
    FileParts p;
    p.version = read_u32(f, 4);
    p.alignment = read_u32(f, 12);
    uint32_t H = read_u32(f, 8);
    p.header.assign(reinterpret_cast<const char*>(f.data()) + 16, H);
    size_t start = (16 + H + p.alignment - 1) / p.alignment * p.alignment;
    p.section.assign(f.begin() + std::ptrdiff_t(start), f.end() - 4);
    return p;
  }
  std::vector<uint8_t> join() const {
    size_t start = (16 + header.size() + alignment - 1) / alignment * alignment;
    std::vector<uint8_t> f(start + section.size() + 4, 0);
    std::memcpy(f.data(), "SLLM", 4);
    write_u32(f, 4, version);
    write_u32(f, 8, uint32_t(header.size()));
    write_u32(f, 12, alignment);
    std::memcpy(f.data() + 16, header.data(), header.size());
    std::memcpy(f.data() + start, section.data(), section.size());
    fix_crc(f);
    return f;
  }
};

}  // namespace sllm::test
