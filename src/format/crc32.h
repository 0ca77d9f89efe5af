// crc32.h: CRC-32 (IEEE 802.3 polynomial, reflected; the value zlib's crc32 gives), as the
// SLLM file's trailing checksum. Incremental: pass the previous value to continue.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sllm {

uint32_t crc32(const uint8_t* data, size_t n, uint32_t crc = 0);

}  // namespace sllm
