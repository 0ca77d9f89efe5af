// fuzz_gguf_model.h: the fuzz harness's model import (a no-op until GGUF import exists).
#pragma once
#include <cstddef>
#include <cstdint>

inline void fuzz_gguf_model(const uint8_t*, size_t) {}
