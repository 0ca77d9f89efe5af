// bench_model_util.h: what the benchmarks of whole models (bench_generate_big, bench_memory)
// share: a tokenizer for random-weight models of a given vocabulary size (one character per
// id) and the process's memory (wasm: the module's memory and malloc's heap top; natively: the
// peak resident set).
#pragma once
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#if defined(__EMSCRIPTEN__)
#include <unistd.h>
#endif

#include "tokenizer/char_tokenizer.h"

namespace sllm::bench {

// A character tokenizer of exactly `vocab` ids: code points from U+0800 up (three UTF-8 bytes
// each, below the surrogates), without U+2581 (SentencePiece's space, which GGUF cannot tell
// from a space in a character vocabulary).
inline std::unique_ptr<CharTokenizer> char_tokenizer(int vocab) {
  const int specials = int(CharTokenizer::train("a")->vocab_size()) - 1;
  std::string text;
  for (int i = 0; i < vocab - specials; ++i) {
    const uint32_t cp = 0x800u + uint32_t(i) + (0x800u + uint32_t(i) >= 0x2581u ? 1u : 0u);
    text += char(0xE0 | (cp >> 12)), text += char(0x80 | ((cp >> 6) & 0x3F)), text += char(0x80 | (cp & 0x3F));
  }
  return CharTokenizer::train(text);
}

// The top of malloc's heap (wasm; natively 0): what the process has allocated, free gaps included.
inline uint64_t heap_top() {
#if defined(__EMSCRIPTEN__)
  return uint64_t(reinterpret_cast<uintptr_t>(sbrk(0)));
#else
  return 0;
#endif
}

inline uint64_t memory_bytes() {
#if defined(__EMSCRIPTEN__)
  return uint64_t(__builtin_wasm_memory_size(0)) * 65536;
#else
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // kB
  return 0;
#endif
}

}  // namespace sllm::bench
