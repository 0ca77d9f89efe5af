// test_safetensors.cpp: the safetensors reader and writer (src/format/safetensors.h): round
// trips in F32/F16/BF16 with metadata, what the format allows (padding, scalars, empty
// tensors), and one test per broken rule, each checking the error names the problem; every
// truncation of a small file is rejected.
#include <catch2/catch.hpp>

#include <cstring>

#include "core/error.h"
#include "format/bfloat16.h"
#include "format/dtype.h"
#include "format/safetensors.h"
#include "format/safetensors_shards.h"

using namespace sllm;

namespace {

// A file from a header text and a data part of n bytes (value i at byte i).
std::vector<uint8_t> st_file(const std::string& header, size_t data_bytes, uint64_t declared = UINT64_MAX) {
  uint64_t n = declared == UINT64_MAX ? header.size() : declared;
  std::vector<uint8_t> out(8 + header.size() + data_bytes);
  for (int i = 0; i < 8; ++i) out[size_t(i)] = uint8_t(n >> (8 * i));
  for (size_t i = 0; i < header.size(); ++i) out[8 + i] = uint8_t(header[i]);
  for (size_t i = 0; i < data_bytes; ++i) out[8 + header.size() + i] = uint8_t(i);
  return out;
}

StHeader read(const std::vector<uint8_t>& f) {
  MemorySource src(f.data(), f.size());
  return read_safetensors_header(src, "t.safetensors");
}

std::string error_of(const std::vector<uint8_t>& f) {
  try {
    read(f);
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::Format);
    return e.what();
  }
  return "(no error)";
}

// Two F32 tensors "a" [2] and "b" [1, 2] over 16 bytes, with the given overrides spliced in.
std::string two(const std::string& a_off = "[0,8]", const std::string& b_off = "[8,16]",
                const std::string& b_shape = "[1,2]", const std::string& b_dtype = "F32") {
  return "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":" + a_off + "},\"b\":{\"dtype\":\"" + b_dtype +
         "\",\"shape\":" + b_shape + ",\"data_offsets\":" + b_off + "}}";
}

}  // namespace

TEST_CASE("safetensors round trip in F32, F16 and BF16 with metadata", "[safetensors]") {
  std::vector<float> a = {1.0f, -2.5f, 0.0f, 65504.0f, 1e-3f, 3.0f};
  std::vector<float> b = {0.5f, -0.25f, 1.5f, 1024.0f};  // exact in F16 and BF16
  auto bytes = write_safetensors({{"w.a", StType::F32, {2, 3}, a.data()},
                                  {"w.b16", StType::F16, {4}, b.data()},
                                  {"w.bf", StType::BF16, {2, 2}, b.data()}},
                                 {{"format", "pt"}});
  StHeader h = read(bytes);
  CHECK(h.data_start % 8 == 0);  // the header is padded to 8 bytes
  REQUIRE(h.tensors.size() == 3);
  CHECK(h.metadata == std::vector<std::pair<std::string, std::string>>{{"format", "pt"}});
  const StTensor* t = h.find("w.a");
  REQUIRE(t);
  CHECK(t->shape == std::vector<int64_t>{2, 3});
  std::vector<float> back(6);
  st_to_f32(t->dtype, bytes.data() + h.data_start + t->begin, 6, back.data());
  CHECK(back == a);
  for (const char* name : {"w.b16", "w.bf"}) {
    t = h.find(name);
    REQUIRE(t);
    std::vector<float> v(4);
    st_to_f32(t->dtype, bytes.data() + h.data_start + t->begin, 4, v.data());
    CHECK(v == b);
  }
  CHECK(h.find("w") == nullptr);
  CHECK(bf16_to_f32(f32_to_bf16(1.00390625f)) == 1.0f);  // ties to even
  CHECK(bf16_to_f32(f32_to_bf16(1.01171875f)) == 1.015625f);
  std::vector<uint8_t> i64(8, 0);
  float out;
  CHECK_THROWS_WITH(st_to_f32(StType::I64, i64.data(), 1, &out), Catch::Contains("I64 is not supported"));
}

TEST_CASE("safetensors accepts what the format allows", "[safetensors]") {
  // Padding spaces after the JSON, a scalar, empty tensors (no bytes, any offset in sequence),
  // other dtypes in the header, unknown members in an entry, no tensors at all.
  auto f = st_file("{\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                   "\"e\":{\"dtype\":\"F16\",\"shape\":[0,3],\"data_offsets\":[4,4]},"
                   "\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[4,12],\"extra\":1}}     ",
                   12);
  StHeader h = read(f);
  CHECK(h.tensors.size() == 3);
  CHECK(h.find("s")->numel() == 1);
  CHECK(h.find("e")->numel() == 0);
  CHECK(read(st_file("{}", 0)).tensors.empty());
  CHECK(read(st_file("{\"__metadata__\":{}}", 0)).tensors.empty());
}

TEST_CASE("safetensors: a broken length prefix is named", "[safetensors][hostile]") {
  CHECK_THAT(error_of({}), Catch::Contains("too short for the 8-byte header length"));
  CHECK_THAT(error_of({1, 0, 0}), Catch::Contains("too short"));
  CHECK_THAT(error_of(st_file(two(), 16, 1000)), Catch::Contains("runs past the end of the file"));
  CHECK_THAT(error_of(st_file(two(), 16, 100'000'001)), Catch::Contains("over the format's limit of 100 MB"));
  CHECK_THAT(error_of(st_file(two(), 16, UINT64_MAX - 1)), Catch::Contains("over the format's limit"));
  CHECK_THAT(error_of(st_file("", 16)), Catch::Contains("does not start with '{'"));
  CHECK_THAT(error_of(st_file(" {}", 0)), Catch::Contains("does not start with '{'"));
}

TEST_CASE("safetensors: a header that is not the format's JSON is named", "[safetensors][hostile]") {
  CHECK_THAT(error_of(st_file("{\"a\":", 0)), Catch::Contains("not valid UTF-8 JSON"));
  CHECK_THAT(error_of(st_file("{} x", 0)), Catch::Contains("not valid UTF-8 JSON"));
  CHECK_THAT(error_of(st_file("{\"\xFF\":{}}", 0)), Catch::Contains("not valid UTF-8 JSON"));
  CHECK_THAT(error_of(st_file("{\"a\":[]}", 0)), Catch::Contains("tensor \"a\" is not an object"));
  CHECK_THAT(error_of(st_file("{\"__metadata__\":[]}", 0)), Catch::Contains("\"__metadata__\" must be an object"));
  CHECK_THAT(error_of(st_file("{\"__metadata__\":{\"k\":1}}", 0)), Catch::Contains("member \"k\" is not a string"));
  CHECK_THAT(error_of(st_file("{\"__metadata__\":{},\"__metadata__\":{}}", 0)), Catch::Contains("\"__metadata__\" twice"));
  CHECK_THAT(error_of(st_file("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", 4)),
             Catch::Contains("duplicate key"));
}

TEST_CASE("safetensors: each broken tensor entry is named", "[safetensors][hostile]") {
  CHECK_THAT(error_of(st_file(two("[0,8]", "[8,16]", "[1,2]", "F33"), 16)), Catch::Contains("tensor \"b\" has an unknown dtype \"F33\""));
  CHECK_THAT(error_of(st_file("{\"b\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4)), Catch::Contains("tensor \"b\" has no \"dtype\""));
  CHECK_THAT(error_of(st_file(two("[0,8]", "[8,16]", "[1,-2]"), 16)), Catch::Contains("every dimension must be a whole number"));
  CHECK_THAT(error_of(st_file(two("[0,8]", "[8,16]", "[1,2.5]"), 16)), Catch::Contains("every dimension must be a whole number"));
  CHECK_THAT(error_of(st_file(two("[0,8]", "[8,16]", "2"), 16)), Catch::Contains("\"shape\" must be an array"));
  CHECK_THAT(error_of(st_file(two("[0,8]", "[8,16]", "[1048576,1048576,1048576]"), 16)), Catch::Contains("more than 2^44 elements"));
  CHECK_THAT(error_of(st_file(two("[0,8]", "[8]"), 16)), Catch::Contains("\"data_offsets\" must be [begin, end]"));
  CHECK_THAT(error_of(st_file(two("[0,8]", "[8,-16]"), 16)), Catch::Contains("two whole numbers"));
  CHECK_THAT(error_of(st_file(two("[0,8]", "[16,8]"), 16)), Catch::Contains("ends before they begin"));
}

TEST_CASE("safetensors: offsets out of range, overlapping, leaving holes or unused bytes are named", "[safetensors][hostile]") {
  CHECK(read(st_file(two(), 16)).tensors.size() == 2);  // the valid file the others break
  CHECK_THAT(error_of(st_file(two("[0,8]", "[8,16]"), 12)), Catch::Contains("run past the end of the data (12 bytes"));
  CHECK_THAT(error_of(st_file(two("[0,8]", "[8,12]"), 16)),
             Catch::Contains("dtype F32 and shape [1, 2] need 8 bytes, but data_offsets [8, 12] hold 4"));
  CHECK_THAT(error_of(st_file(two("[0,8]", "[8,16]", "[1,2]", "F16"), 16)), Catch::Contains("need 4 bytes"));
  CHECK_THAT(error_of(st_file(two("[0,8]", "[4,12]"), 16)), Catch::Contains("tensors \"a\" and \"b\" overlap"));
  CHECK_THAT(error_of(st_file(two("[0,8]", "[0,8]"), 16)), Catch::Contains("overlap"));
  CHECK_THAT(error_of(st_file(two("[0,8]", "[12,20]"), 20)), Catch::Contains("bytes 8 to 12 of the data belong to no tensor"));
  CHECK_THAT(error_of(st_file(two("[4,12]", "[12,20]"), 20)), Catch::Contains("bytes 0 to 4"));
  CHECK_THAT(error_of(st_file(two(), 20)), Catch::Contains("the last 4 bytes of the file belong to no tensor"));
  CHECK_THAT(error_of(st_file(two("[0,8]", "[0,8]").replace(two().find("\"b\""), 3, "\"a\""), 8)),
             Catch::Contains("tensor \"a\" twice"));
}

TEST_CASE("every truncation of a small safetensors file is rejected", "[safetensors][hostile]") {
  std::vector<float> a = {1, 2, 3, 4, 5, 6};
  auto f = write_safetensors({{"x", StType::F32, {2, 3}, a.data()}, {"y", StType::BF16, {3}, a.data()}}, {{"k", "v"}});
  REQUIRE(read(f).tensors.size() == 2);
  for (size_t n = 0; n < f.size(); ++n) {
    INFO("length " << n);
    std::vector<uint8_t> cut(f.begin(), f.begin() + long(n));
    CHECK_THROWS_AS(read(cut), Error);
  }
  // A byte more is refused too.
  f.push_back(0);
  CHECK_THAT(error_of(f), Catch::Contains("belong to no tensor"));
}

namespace {
FileSet files_of(std::vector<std::pair<std::string, std::vector<uint8_t>>> named) {
  FileSet out;
  for (auto& [name, bytes] : named) out.push_back({name, MemorySource::owning(std::move(bytes))});
  return out;
}
std::vector<uint8_t> bytes_of(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }
std::string open_error(const FileSet& files) {
  try {
    StCheckpoint::open(files);
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::Format);
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("a sharded checkpoint reads as one, through model.safetensors.index.json", "[safetensors]") {
  std::vector<float> a = {1, 2, 3, 4}, b = {5, 6}, c = {7};
  auto s1 = write_safetensors({{"a", StType::F32, {2, 2}, a.data()}}, {{"format", "pt"}});
  auto s2 = write_safetensors({{"b", StType::BF16, {2}, b.data()}, {"c", StType::F16, {1}, c.data()}});
  const std::string index =
      R"({"metadata": {"total_size": 22}, "weight_map": {"a": "model-00001-of-00002.safetensors",
         "b": "model-00002-of-00002.safetensors", "c": "model-00002-of-00002.safetensors"}})";
  auto files = files_of({{"config.json", bytes_of("{}")}, {"model-00002-of-00002.safetensors", s2},
                         {"model.safetensors.index.json", bytes_of(index)}, {"model-00001-of-00002.safetensors", s1}});
  StCheckpoint ck = StCheckpoint::open(files);
  CHECK(ck.names() == std::vector<std::string>{"a", "b", "c"});
  CHECK(ck.shards().size() == 2);
  std::vector<uint8_t> scratch;
  std::vector<float> got(4);
  StCheckpoint::read_f32(*ck.find("a"), got.data(), scratch);
  CHECK(got == a);
  got.resize(2);
  StCheckpoint::read_f32(*ck.find("b"), got.data(), scratch);
  CHECK(got == b);
  StCheckpoint::read_f32(*ck.find("c"), got.data(), scratch);
  CHECK(got[0] == 7.0f);
  CHECK(ck.find("d") == nullptr);
  CHECK(ck.metadata().size() == 1);

  // One file: model.safetensors.
  StCheckpoint one = StCheckpoint::open(files_of({{"model.safetensors", s2}}));
  CHECK(one.names() == std::vector<std::string>{"b", "c"});
}

TEST_CASE("a broken or incomplete sharded checkpoint is named", "[safetensors][hostile]") {
  std::vector<float> a = {1, 2};
  auto s1 = write_safetensors({{"a", StType::F32, {2}, a.data()}});
  auto with_index = [&](const std::string& index) {
    return files_of({{"model.safetensors.index.json", bytes_of(index)}, {"s1.safetensors", s1}});
  };
  CHECK_THAT(open_error(files_of({{"config.json", bytes_of("{}")}})), Catch::Contains("no model.safetensors"));
  CHECK_THAT(open_error(files_of({{"pytorch_model.bin", bytes_of("x")}})), Catch::Contains("safe_serialization=True"));
  CHECK_THAT(open_error(with_index("{\"weight_map\": ")), Catch::Contains("not valid UTF-8 JSON"));
  CHECK_THAT(open_error(with_index("{\"metadata\": {}}")), Catch::Contains("no \"weight_map\""));
  CHECK_THAT(open_error(with_index("{\"weight_map\": {}}")), Catch::Contains("empty"));
  CHECK_THAT(open_error(with_index("{\"weight_map\": {\"a\": 1}}")), Catch::Contains("not a file name"));
  CHECK_THAT(open_error(with_index("{\"weight_map\": {\"a\": \"s2.safetensors\"}}")),
             Catch::Contains("names the shard s2.safetensors, which is not among the files"));
  CHECK_THAT(open_error(with_index("{\"weight_map\": {\"b\": \"s1.safetensors\"}}")),
             Catch::Contains("puts \"b\" in s1.safetensors, which does not hold it"));
  auto bad_shard = s1;
  bad_shard.resize(bad_shard.size() - 1);
  CHECK_THAT(open_error(files_of({{"model.safetensors", bad_shard}})), Catch::Contains("invalid safetensors file model.safetensors"));
  // A dtype sllm does not convert is named when the tensor is read.
  auto i64 = st_file("{\"n\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
  StCheckpoint ck = StCheckpoint::open(files_of({{"model.safetensors", i64}}));
  std::vector<uint8_t> scratch;
  float out[2];
  CHECK_THROWS_WITH(StCheckpoint::read_f32(*ck.find("n"), out, scratch), Catch::Contains("has dtype I64, which sllm does not read"));
}
