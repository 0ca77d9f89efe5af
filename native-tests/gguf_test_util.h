// gguf_test_util.h: builds GGUF files byte by byte for the reader's tests (as ggml's test-gguf
// does): a Spec holds every field of a small file, a test breaks one and builds it.
#pragma once
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"

namespace sllm::test {

// Runs f, which must throw Error(Format) with needle in its message.
template <typename F>
void expect_format_error(F&& f, const std::string& needle) {
  try {
    f();
    FAIL("accepted; expected an error containing: " << needle);
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::Format);
    CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains(needle));
  }
}

struct Bytes {
  std::vector<uint8_t> b;
  template <typename T>
  Bytes& put(T v) {
    uint8_t x[sizeof(T)];
    std::memcpy(x, &v, sizeof v);
    b.insert(b.end(), x, x + sizeof x);
    return *this;
  }
  Bytes& str(const std::string& s) {
    put<uint64_t>(s.size());
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& raw(const std::vector<uint8_t>& r) {
    b.insert(b.end(), r.begin(), r.end());
    return *this;
  }
};

// One metadata entry: key, value type and the value's bytes (as they follow the type).
struct KV {
  std::string key;
  uint32_t type;
  std::vector<uint8_t> value;
};
template <typename T>
KV kv(const std::string& key, uint32_t type, T v) {
  return {key, type, Bytes().put(v).b};
}
inline KV kv_str(const std::string& key, const std::string& s) { return {key, 8, Bytes().str(s).b}; }

struct TensorSpec {
  std::string name;
  std::vector<uint64_t> ne;  // innermost first, as GGUF stores them
  uint32_t type;
  uint64_t offset;
};

struct GgufSpec {
  std::string magic = "GGUF";
  uint32_t version = 3;
  int64_t n_tensors = -1, n_kv = -1;  // -1: the real counts
  std::vector<KV> kvs;
  std::vector<TensorSpec> tensors;
  uint64_t alignment = 32;  // for the padding before the data section
  std::vector<uint8_t> data;

  std::vector<uint8_t> build() const {
    Bytes out;
    out.b.insert(out.b.end(), magic.begin(), magic.end());
    out.put(version).put<uint64_t>(n_tensors >= 0 ? uint64_t(n_tensors) : tensors.size())
        .put<uint64_t>(n_kv >= 0 ? uint64_t(n_kv) : kvs.size());
    for (const KV& k : kvs) out.str(k.key).put(k.type).raw(k.value);
    for (const TensorSpec& t : tensors) {
      out.str(t.name).put(uint32_t(t.ne.size()));
      for (uint64_t d : t.ne) out.put(d);
      out.put(t.type).put(t.offset);
    }
    if (!tensors.empty())
      while (out.b.size() % alignment) out.b.push_back(0);
    return out.raw(data).b;
  }
};

// A valid file with every value type (arrays of arrays included) and three tensors (f32, q8_0,
// f16), each padded to 32 bytes.
inline GgufSpec valid_gguf() {
  GgufSpec s;
  s.kvs = {kv_str("general.architecture", "gpt2"), kv<uint8_t>("t.u8", 0, 200), kv<int8_t>("t.i8", 1, -5),
           kv<uint16_t>("t.u16", 2, 60000), kv<int16_t>("t.i16", 3, -30000), kv<uint32_t>("t.u32", 4, 4000000000u),
           kv<int32_t>("t.i32", 5, -7), kv<float>("t.f32", 6, 0.25f), kv<uint8_t>("t.bool", 7, 1),
           kv<uint64_t>("t.u64", 10, 1ull << 40), kv<int64_t>("t.i64", 11, -(1ll << 40)), kv<double>("t.f64", 12, 0.125),
           kv<uint32_t>("general.alignment", 4, 32)};
  s.kvs.push_back({"t.strings", 9, Bytes().put<uint32_t>(8).put<uint64_t>(3).str("a").str("").str("\xE2\x96\x81x").b});
  s.kvs.push_back({"t.floats", 9, Bytes().put<uint32_t>(6).put<uint64_t>(2).put(1.5f).put(-2.0f).b});
  s.kvs.push_back({"t.nested", 9, Bytes().put<uint32_t>(9).put<uint64_t>(2)
                                      .put<uint32_t>(5).put<uint64_t>(2).put<int32_t>(1).put<int32_t>(2)
                                      .put<uint32_t>(8).put<uint64_t>(1).str("z").b});
  s.tensors = {{"a", {3, 2}, 0, 0}, {"b", {32, 2}, 8, 32}, {"c", {5}, 1, 128}};
  s.data.resize(160);
  for (size_t i = 0; i < s.data.size(); ++i) s.data[i] = uint8_t(i * 7 + 1);
  return s;
}

}  // namespace sllm::test
