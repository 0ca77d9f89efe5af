// test_json.cpp: the strict JSON parser (valid documents, hostile ones rejected with the byte
// offset) and the writer (exact number round trips, escapes, member order).
#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/json.h"

using namespace sllm;

TEST_CASE("JSON parses documents and writes them back identically", "[json]") {
  const char* doc = R"({"a":1,"b":[true,false,null],"c":"x\"y\\z\n\u00e9\ud83d\ude00","d":-0.5,"e":{}})";
  Json j = Json::parse(doc);
  CHECK(j.get_int("a", 0, 10) == 1);
  CHECK(j.find("b")->items().size() == 3);
  CHECK(j.get_string("c") == "x\"y\\z\n\xC3\xA9\xF0\x9F\x98\x80");
  CHECK(j.get_number("d") == -0.5);
  Json again = Json::parse(j.dump());
  CHECK(again.dump() == j.dump());
  CHECK(j.members()[0].first == "a");  // order kept
}

TEST_CASE("JSON numbers round-trip exactly", "[json]") {
  for (double v : {0.0, 1.0, -3.0, 0.1, 1e-3, 1e-8, 3.141592653589793, 1.0 / 3.0, 6.02e23, 9007199254740991.0,
                   1e300, -2.5e-300}) {
    Json j(v);
    CHECK(Json::parse(j.dump()).as_number() == v);
  }
  CHECK(Json(1e-3).dump() == "0.001");
  CHECK(Json(42).dump() == "42");
}

TEST_CASE("JSON rejects malformed and hostile input with the byte offset", "[json]") {
  const char* bad[] = {
      "",          "{",           "[1,]",         "{\"a\":}",    "{\"a\" 1}", "01",         "1.",
      "1e",        "-",           "+1",           "nul",         "[1 2]",     "\"abc",      "\"\\x\"",
      "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"",  "\"\x01\"",    "\"\xC0\x80\"", "\"\xED\xA0\x80\"",
      "\"\xFF\"",  "1e999",       "{\"a\":1,\"a\":2}", "[] []",   "\"\xF4\x90\x80\x80\"",
  };
  for (const char* b : bad) {
    INFO("input: " << b);
    CHECK_THROWS_AS(Json::parse(b), Error);
  }
  std::string deep(100, '[');
  deep += std::string(100, ']');
  CHECK_THROWS_WITH(Json::parse(deep), Catch::Contains("nesting too deep"));
  CHECK_THROWS_WITH(Json::parse("[1, x]"), Catch::Contains("at byte 4"));
  CHECK_NOTHROW(Json::parse(std::string(60, '[') + std::string(60, ']')));
}

TEST_CASE("JSON typed getters name the key and the expectation", "[json]") {
  Json j = Json::parse(R"({"n": 2.5, "s": "x", "i": 70000})");
  CHECK_THROWS_WITH(j.get_int("n", 0, 10), Catch::Contains("\"n\" must be a whole number"));
  CHECK_THROWS_WITH(j.get_int("i", 0, 65536), Catch::Contains("from 0 to 65536"));
  CHECK_THROWS_WITH(j.get_string("n"), Catch::Contains("\"n\" must be a string"));
  CHECK_THROWS_WITH(j.get_bool("missing"), Catch::Contains("missing \"missing\""));
}
