// gguf_values.cpp: typed reads of a validated GGUF file's metadata values (see gguf_reader.h).
#include <cstring>

#include "core/error.h"
#include "format/gguf_reader.h"

namespace sllm {

namespace {

[[noreturn]] void bad_key(std::string_view key, const std::string& msg) {
  fail(ErrorCode::Format, "invalid GGUF file: metadata \"" + std::string(key) + "\" " + msg);
}

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The numeric value of a scalar of type t at p; false for strings and arrays.
bool number_at(GgufType t, const uint8_t* p, double& out) {
  switch (t) {
    case GgufType::U8: out = load<uint8_t>(p); return true;
    case GgufType::I8: out = load<int8_t>(p); return true;
    case GgufType::U16: out = load<uint16_t>(p); return true;
    case GgufType::I16: out = load<int16_t>(p); return true;
    case GgufType::U32: out = load<uint32_t>(p); return true;
    case GgufType::I32: out = load<int32_t>(p); return true;
    case GgufType::F32: out = load<float>(p); return true;
    case GgufType::Bool: out = p[0]; return true;
    case GgufType::U64: out = double(load<uint64_t>(p)); return true;
    case GgufType::I64: out = double(load<int64_t>(p)); return true;
    case GgufType::F64: out = load<double>(p); return true;
    default: return false;
  }
}

size_t scalar_size(GgufType t) {
  switch (t) {
    case GgufType::U8: case GgufType::I8: case GgufType::Bool: return 1;
    case GgufType::U16: case GgufType::I16: return 2;
    case GgufType::U32: case GgufType::I32: case GgufType::F32: return 4;
    default: return 8;
  }
}

}  // namespace

const GgufKV& GgufFile::need(std::string_view key, GgufType type) const {
  const GgufKV* k = find(key);
  if (!k) bad_key(key, "is missing");
  if (k->type != type)
    bad_key(key, std::string("must be a ") + gguf_type_name(type) + ", not " +
                     (k->type == GgufType::Array ? "an array" : std::string("a ") + gguf_type_name(k->type)));
  return *k;
}

const GgufKV& GgufFile::need_array(std::string_view key) const {
  const GgufKV* k = find(key);
  if (!k) bad_key(key, "is missing");
  if (k->type != GgufType::Array) bad_key(key, std::string("must be an array, not a ") + gguf_type_name(k->type));
  return *k;
}

std::string_view GgufFile::string(std::string_view key) const {
  const GgufKV& k = need(key, GgufType::String);
  const uint64_t len = load<uint64_t>(data_ + k.at);
  return std::string_view(reinterpret_cast<const char*>(data_) + k.at + 8, size_t(len));
}

bool GgufFile::boolean(std::string_view key) const { return data_[need(key, GgufType::Bool).at] != 0; }

double GgufFile::number(std::string_view key) const {
  const GgufKV* k = find(key);
  if (!k) bad_key(key, "is missing");
  double v = 0;
  if (k->type == GgufType::Bool || !number_at(k->type, data_ + k->at, v)) bad_key(key, "must be a number");
  return v;
}

uint64_t GgufFile::uint(std::string_view key) const {
  const GgufKV* k = find(key);
  if (!k) bad_key(key, "is missing");
  switch (k->type) {
    case GgufType::U8: return load<uint8_t>(data_ + k->at);
    case GgufType::U16: return load<uint16_t>(data_ + k->at);
    case GgufType::U32: return load<uint32_t>(data_ + k->at);
    case GgufType::U64: return load<uint64_t>(data_ + k->at);
    case GgufType::I8: case GgufType::I16: case GgufType::I32: case GgufType::I64: {
      double v = 0;
      number_at(k->type, data_ + k->at, v);
      if (v < 0) bad_key(key, "must not be negative");
      return uint64_t(v);
    }
    default: bad_key(key, "must be an integer");
  }
}

uint64_t GgufFile::array_count(std::string_view key) const { return need_array(key).count; }

void GgufFile::each_string(std::string_view key, const std::function<void(size_t, std::string_view)>& f) const {
  const GgufKV& k = need_array(key);
  if (k.elem != GgufType::String) bad_key(key, std::string("must be an array of strings, not of ") + gguf_type_name(k.elem));
  size_t at = k.at;
  for (uint64_t i = 0; i < k.count; ++i) {
    const uint64_t len = load<uint64_t>(data_ + at);
    f(size_t(i), std::string_view(reinterpret_cast<const char*>(data_) + at + 8, size_t(len)));
    at += 8 + size_t(len);
  }
}

void GgufFile::each_number(std::string_view key, const std::function<void(size_t, double)>& f) const {
  const GgufKV& k = need_array(key);
  if (k.elem == GgufType::String || k.elem == GgufType::Array)
    bad_key(key, std::string("must be an array of numbers, not of ") + gguf_type_name(k.elem));
  const size_t step = scalar_size(k.elem);
  for (uint64_t i = 0; i < k.count; ++i) {
    double v = 0;
    number_at(k.elem, data_ + k.at + size_t(i) * step, v);
    f(size_t(i), v);
  }
}

}  // namespace sllm
