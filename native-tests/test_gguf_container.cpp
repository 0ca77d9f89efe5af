// test_gguf_container.cpp: the GGUF container reader and writer. A handcrafted file with every
// value type reads back; each field broken on purpose is refused with an error naming it; every
// truncation of a valid file is refused; what the writer writes reads back.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "format/ggml_types.h"
#include "format/gguf_reader.h"
#include "format/gguf_writer.h"
#include "gguf_test_util.h"

using namespace sllm;
using namespace sllm::test;
using Catch::Matchers::Contains;

namespace {

void refused(const std::vector<uint8_t>& bytes, const std::string& needle) {
  expect_format_error([&] { GgufFile::parse(bytes.data(), bytes.size()); }, needle);
}

// The valid spec with one change.
template <typename F>
std::vector<uint8_t> broken(F change) {
  GgufSpec s = valid_gguf();
  change(s);
  return s.build();
}

size_t kv_index(const GgufSpec& s, const std::string& key) {
  for (size_t i = 0; i < s.kvs.size(); ++i)
    if (s.kvs[i].key == key) return i;
  FAIL("no key " << key);
  return 0;
}

}  // namespace

TEST_CASE("gguf: a handcrafted file with every value type reads back", "[gguf]") {
  for (uint32_t version : {2u, 3u}) {
    GgufSpec s = valid_gguf();
    s.version = version;
    std::vector<uint8_t> bytes = s.build();
    GgufFile f = GgufFile::parse(bytes.data(), bytes.size());
    CHECK(f.version() == version);
    CHECK(f.string("general.architecture") == "gpt2");
    CHECK(f.uint("t.u8") == 200);
    CHECK(f.number("t.i8") == -5);
    CHECK(f.uint("t.u16") == 60000);
    CHECK(f.number("t.i16") == -30000);
    CHECK(f.uint("t.u32") == 4000000000u);
    CHECK(f.number("t.i32") == -7);
    CHECK(f.number("t.f32") == 0.25);
    CHECK(f.boolean("t.bool"));
    CHECK(f.uint("t.u64") == (1ull << 40));
    CHECK(f.number("t.i64") == -double(1ll << 40));
    CHECK(f.number("t.f64") == 0.125);
    std::vector<std::string> strings;
    f.each_string("t.strings", [&](size_t, std::string_view v) { strings.emplace_back(v); });
    CHECK(strings == std::vector<std::string>{"a", "", "\xE2\x96\x81x"});
    std::vector<double> floats;
    f.each_number("t.floats", [&](size_t, double v) { floats.push_back(v); });
    CHECK(floats == std::vector<double>{1.5, -2.0});
    CHECK(f.array_count("t.nested") == 2);
    CHECK(f.find("t.nested")->elem == GgufType::Array);
    CHECK_THROWS_AS(f.each_number("t.nested", [](size_t, double) {}), Error);
    CHECK_THROWS_AS(f.uint("t.i8"), Error);          // negative
    CHECK_THROWS_AS(f.string("t.u8"), Error);        // wrong type
    CHECK_THROWS_AS(f.number("missing.key"), Error);
    REQUIRE(f.tensors().size() == 3);
    const GgufTensorInfo* b = f.find_tensor("b");
    REQUIRE(b);
    CHECK(b->shape() == std::vector<int64_t>{2, 32});
    CHECK(b->nbytes == 68);
    CHECK(f.tensor_data(*b) - bytes.data() == int64_t(f.data_start() + 32));
    CHECK(f.data_start() % 32 == 0);
  }
}

TEST_CASE("gguf: each broken header field is refused, naming it", "[gguf][hostile]") {
  refused(broken([](GgufSpec& s) { s.magic = "GGUG"; }), "not a GGUF file");
  refused(broken([](GgufSpec& s) { s.version = 1; }), "version 1 is not supported");
  refused(broken([](GgufSpec& s) { s.version = 4; }), "unsupported GGUF version 4");
  refused(broken([](GgufSpec& s) { s.version = 0x03000000; }), "big-endian");
  refused(broken([](GgufSpec& s) { s.n_kv = int64_t(1) << 40; }), "metadata count");
  refused(broken([](GgufSpec& s) { s.n_tensors = int64_t(1) << 40; }), "tensor count");
  refused(broken([](GgufSpec& s) {
            s.tensors.clear();
            s.data.clear();
            s.n_kv = int64_t(s.kvs.size()) + 1;
          }),
          "metadata entry 16's key's length runs past the end");
  refused(std::vector<uint8_t>{'G', 'G', 'U', 'F', 3, 0, 0, 0}, "at least 24");
}

TEST_CASE("gguf: each broken metadata field is refused, naming it", "[gguf][hostile]") {
  refused(broken([](GgufSpec& s) { s.kvs[0].key = ""; }), "empty key");
  refused(broken([](GgufSpec& s) { s.kvs[1].key = "general.architecture"; }), "\"general.architecture\" appears twice");
  refused(broken([](GgufSpec& s) { s.kvs[1].key = "bad\xFF"; }), "not valid UTF-8");
  refused(broken([](GgufSpec& s) { s.kvs[1].type = 13; }), "\"t.u8\"'s value type 13");
  refused(broken([](GgufSpec& s) { s.kvs[kv_index(s, "t.bool")].value = {2}; }), "\"t.bool\" is a bool of value 2");
  refused(broken([](GgufSpec& s) { s.kvs[0].value = Bytes().put<uint64_t>(1ull << 50).b; }), "\"general.architecture\" runs past");
  refused(broken([](GgufSpec& s) { s.kvs[kv_index(s, "t.strings")].value[0] = 13; }), "\"t.strings\"'s element type 13");
  refused(broken([](GgufSpec& s) {
            auto& v = s.kvs[kv_index(s, "t.floats")].value;
            v[4] = 0xFF, v[5] = 0xFF, v[6] = 0xFF;  // element count
          }),
          "\"t.floats\": ");
  refused(broken([](GgufSpec& s) {
            auto& v = s.kvs[kv_index(s, "t.strings")].value;
            v[19] = 0x7F;  // the first string's length
          }),
          "\"t.strings\"[0] runs past");
  refused(broken([](GgufSpec& s) {
            Bytes deep;
            for (int i = 0; i < 9; ++i) deep.put<uint32_t>(9).put<uint64_t>(1);
            deep.put<uint32_t>(0).put<uint64_t>(0);
            std::vector<uint8_t> v(deep.b.begin(), deep.b.end());
            s.kvs.push_back({"t.deep", 9, v});
          }),
          "nested more than 8 deep");
  refused(broken([](GgufSpec& s) { s.kvs[kv_index(s, "general.alignment")] = kv<uint64_t>("general.alignment", 10, 32); }),
          "\"general.alignment\" must be a u32");
  refused(broken([](GgufSpec& s) { s.kvs[kv_index(s, "general.alignment")] = kv<uint32_t>("general.alignment", 4, 48); }),
          "\"general.alignment\" 48 is not a power of two");
  refused(broken([](GgufSpec& s) { s.kvs[kv_index(s, "general.alignment")] = kv<uint32_t>("general.alignment", 4, 0); }),
          "\"general.alignment\" 0 is not a power of two");
}

TEST_CASE("gguf: each broken tensor field is refused, naming it", "[gguf][hostile]") {
  refused(broken([](GgufSpec& s) { s.tensors[0].name = ""; }), "tensor info 0 has an empty name");
  refused(broken([](GgufSpec& s) { s.tensors[0].name = std::string(64, 'x'); }), "ggml allows 63");
  refused(broken([](GgufSpec& s) { s.tensors[1].name = "a"; }), "tensor name \"a\" appears twice");
  refused(broken([](GgufSpec& s) { s.tensors[0].ne = {}; }), "\"a\" has 0 dimensions");
  refused(broken([](GgufSpec& s) { s.tensors[0].ne = {1, 1, 1, 1, 1}; }), "\"a\" has 5 dimensions");
  refused(broken([](GgufSpec& s) { s.tensors[0].ne = {3, 0}; }), "\"a\": dimension 1 is 0");
  refused(broken([](GgufSpec& s) { s.tensors[0].ne = {1ull << 40, 1ull << 30}; }), "\"a\": dimension 1");
  refused(broken([](GgufSpec& s) { s.tensors[0].type = 99; }), "unknown type 99");
  refused(broken([](GgufSpec& s) { s.tensors[0].type = 4; }), "unknown type 4");  // a removed ggml type
  refused(broken([](GgufSpec& s) { s.tensors[1].ne = {33, 2}; }), "rows of 33 values, not a multiple of its block of 32");
  refused(broken([](GgufSpec& s) { s.tensors[1].offset = 48; }), "\"b\": offset 48 is not a multiple of the alignment 32");
  refused(broken([](GgufSpec& s) { s.tensors[2].offset = 1ull << 60; }), "\"c\": its data runs past the end");
  refused(broken([](GgufSpec& s) { s.tensors[2].offset = 64; }), "\"c\" overlaps tensor \"b\"");
  refused(broken([](GgufSpec& s) { s.tensors[0].ne = {3, 3}; s.tensors[1].offset = 32; }), "\"a\"");  // 36 bytes: into b
  refused(broken([](GgufSpec& s) { s.data.resize(s.data.size() - 1); }), "padding after its last tensor");
  refused(broken([](GgufSpec& s) { s.tensors[2].ne = {200}; }), "\"c\": its data runs past the end");
}

TEST_CASE("gguf: every truncation of a valid file is refused", "[gguf][hostile]") {
  const std::vector<uint8_t> whole = valid_gguf().build();
  REQUIRE_NOTHROW(GgufFile::parse(whole.data(), whole.size()));
  size_t refusals = 0;
  for (size_t n = 0; n < whole.size(); ++n) {
    std::vector<uint8_t> cut(whole.begin(), whole.begin() + long(n));  // its own allocation: ASan sees overreads
    try {
      GgufFile::parse(cut.data(), cut.size());
      FAIL("a file cut to " << n << " of " << whole.size() << " bytes was accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::Format);
      ++refusals;
    }
  }
  CHECK(refusals == whole.size());
}

TEST_CASE("gguf: the writer's files read back, laid out as ggml lays them out", "[gguf]") {
  GgufWriter w;
  w.add_string("general.architecture", "llama");
  w.add_u32("llama.block_count", 2);
  w.add_i32("x.i32", -3);
  w.add_f32("x.f32", 1e-5f);
  w.add_bool("x.bool", false);
  w.add_strings("tokenizer.ggml.tokens", {"a", "\xE2\x96\x81" "b", "<0x0A>"});
  w.add_f32s("tokenizer.ggml.scores", {0.0f, -1.5f, 2.0f});
  w.add_i32s("tokenizer.ggml.token_type", {1, 1, 6});
  CHECK_THROWS_AS(w.add_u32("llama.block_count", 3), Error);
  std::vector<float> a(3 * 5);
  for (size_t i = 0; i < a.size(); ++i) a[i] = float(i) - 7.0f;
  w.add_tensor("a", {5, 3}, uint32_t(GgmlType::F32), [&](uint8_t* dst) { std::memcpy(dst, a.data(), a.size() * 4); });
  w.add_tensor("q", {2, 64}, uint32_t(GgmlType::Q8_0), [&](uint8_t* dst) { std::memset(dst, 0x11, 4 * 34); });
  const std::vector<uint8_t> bytes = w.finish();
  GgufFile f = GgufFile::parse(bytes.data(), bytes.size());
  CHECK(f.version() == 3);
  CHECK(f.string("general.architecture") == "llama");
  CHECK(f.uint("llama.block_count") == 2);
  CHECK(f.number("x.i32") == -3);
  CHECK(float(f.number("x.f32")) == 1e-5f);
  CHECK(!f.boolean("x.bool"));
  CHECK(f.array_count("tokenizer.ggml.tokens") == 3);
  std::vector<double> types;
  f.each_number("tokenizer.ggml.token_type", [&](size_t, double v) { types.push_back(v); });
  CHECK(types == std::vector<double>{1, 1, 6});
  const GgufTensorInfo* ta = f.find_tensor("a");
  const GgufTensorInfo* tq = f.find_tensor("q");
  REQUIRE(ta);
  REQUIRE(tq);
  CHECK(ta->ne[0] == 3);  // innermost first in the file
  CHECK(ta->shape() == std::vector<int64_t>{5, 3});
  CHECK(ta->offset == 0);
  CHECK(tq->offset == 64);  // 60 bytes padded to 32
  CHECK(std::memcmp(f.tensor_data(*ta), a.data(), 60) == 0);
  CHECK(f.tensor_data(*tq)[0] == 0x11);
  CHECK(bytes.size() == f.data_start() + 64 + 4 * 34 + 24);  // the last tensor padded too
}
