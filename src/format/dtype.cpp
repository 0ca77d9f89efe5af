// dtype.cpp: see dtype.h.
#include "format/dtype.h"

#include <cmath>
#include <algorithm>
#include <cstring>

namespace sllm {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "f32";
    case DType::F16: return "f16";
    case DType::Q8_0: return "q8_0";
    case DType::Q4_0: return "q4_0";
  }
  return "f32";
}

bool dtype_from_name(const std::string& name, DType& out) {
  for (DType t : {DType::F32, DType::F16, DType::Q8_0, DType::Q4_0})
    if (name == dtype_name(t)) {
      out = t;
      return true;
    }
  return false;
}

uint64_t dtype_nbytes(DType t, uint64_t n) {
  switch (t) {
    case DType::F32: return n * 4;
    case DType::F16: return n * 2;
    case DType::Q8_0: return n / kQuantBlock * 34;
    case DType::Q4_0: return n / kQuantBlock * 18;
  }
  return 0;
}

uint16_t f32_to_f16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t exp = (x >> 23) & 0xFFu;
  uint32_t mant = x & 0x7FFFFFu;
  if (exp == 0xFF) return uint16_t(sign | 0x7C00u | (mant ? 0x200u | (mant >> 13) : 0));  // inf / NaN
  int e = int(exp) - 127 + 15;
  if (e >= 31) return uint16_t(sign | 0x7C00u);  // overflow -> inf
  if (e <= 0) {
    if (e < -10) return uint16_t(sign);  // underflow -> signed zero
    // Subnormal: shift the mantissa (with its implicit 1) right, rounding to nearest even.
    mant |= 0x800000u;
    const int shift = 14 - e;
    uint32_t half = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1))) ++half;
    return uint16_t(sign | half);
  }
  uint32_t half = sign | (uint32_t(e) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (half & 1))) ++half;  // may carry into the exponent: correct
  return uint16_t(half);
}

float f16_to_f32(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  uint32_t mant = h & 0x3FFu;
  uint32_t x;
  if (exp == 0) {
    if (mant == 0) {
      x = sign;
    } else {  // subnormal: normalize
      int e = -1;
      do {
        mant <<= 1;
        ++e;
      } while (!(mant & 0x400u));
      x = sign | (uint32_t(127 - 15 - e) << 23) | ((mant & 0x3FFu) << 13);
    }
  } else if (exp == 31) {
    x = sign | 0x7F800000u | (mant << 13);
  } else {
    x = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

namespace {
void put_u16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v & 0xFF);
  p[1] = uint8_t(v >> 8);
}
uint16_t get_u16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }

void quantize_q8_0(const float* x, uint8_t* out) {  // one block of 32
  float amax = 0.0f;
  for (int j = 0; j < kQuantBlock; ++j) amax = std::fmax(amax, std::fabs(x[j]));
  const float d = amax / 127.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
  put_u16(out, f32_to_f16(d));
  for (int j = 0; j < kQuantBlock; ++j) out[2 + j] = uint8_t(int8_t(std::round(x[j] * id)));
}

void quantize_q4_0(const float* x, uint8_t* out) {  // one block of 32
  float amax = 0.0f, max = 0.0f;  // the value of largest magnitude, with its sign
  for (int j = 0; j < kQuantBlock; ++j)
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  const float d = max / -8.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
  put_u16(out, f32_to_f16(d));
  for (int j = 0; j < kQuantBlock / 2; ++j) {
    const int x0 = std::min(15, int(int8_t(x[j] * id + 8.5f)));
    const int x1 = std::min(15, int(int8_t(x[j + kQuantBlock / 2] * id + 8.5f)));
    out[2 + j] = uint8_t(x0 | (x1 << 4));
  }
}
}  // namespace

void encode_tensor(DType t, const float* src, size_t n, uint8_t* dst) {
  switch (t) {
    case DType::F32:
      for (size_t i = 0; i < n; ++i) {
        uint32_t x;
        std::memcpy(&x, src + i, 4);
        for (int b = 0; b < 4; ++b) dst[i * 4 + size_t(b)] = uint8_t(x >> (8 * b));
      }
      break;
    case DType::F16:
      for (size_t i = 0; i < n; ++i) put_u16(dst + 2 * i, f32_to_f16(src[i]));
      break;
    case DType::Q8_0:
      for (size_t b = 0; b < n / kQuantBlock; ++b) quantize_q8_0(src + b * kQuantBlock, dst + b * 34);
      break;
    case DType::Q4_0:
      for (size_t b = 0; b < n / kQuantBlock; ++b) quantize_q4_0(src + b * kQuantBlock, dst + b * 18);
      break;
  }
}

void decode_tensor(DType t, const uint8_t* src, size_t n, float* dst) {
  switch (t) {
    case DType::F32:
      for (size_t i = 0; i < n; ++i) {
        const uint8_t* p = src + 4 * i;
        uint32_t x = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
        std::memcpy(dst + i, &x, 4);
      }
      break;
    case DType::F16:
      for (size_t i = 0; i < n; ++i) dst[i] = f16_to_f32(get_u16(src + 2 * i));
      break;
    case DType::Q8_0:
      for (size_t b = 0; b < n / kQuantBlock; ++b) {
        const uint8_t* blk = src + b * 34;
        const float d = f16_to_f32(get_u16(blk));
        for (int j = 0; j < kQuantBlock; ++j) dst[b * kQuantBlock + size_t(j)] = d * float(int8_t(blk[2 + j]));
      }
      break;
    case DType::Q4_0:
      for (size_t b = 0; b < n / kQuantBlock; ++b) {
        const uint8_t* blk = src + b * 18;
        const float d = f16_to_f32(get_u16(blk));
        for (int j = 0; j < kQuantBlock / 2; ++j) {
          dst[b * kQuantBlock + size_t(j)] = d * float((blk[2 + j] & 0x0F) - 8);
          dst[b * kQuantBlock + size_t(j) + kQuantBlock / 2] = d * float((blk[2 + j] >> 4) - 8);
        }
      }
      break;
  }
}

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

}  // namespace sllm
