// json.h: a small JSON value with a strict, bounded parser and a deterministic writer.
// Used for model presets, the SLLM file header and the bindings' option objects. The parser
// is safe on hostile input: it validates UTF-8, limits nesting depth, rejects duplicate keys
// and never reads past the given bytes.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sllm {

class Json {
 public:
  enum class Type { Null, Bool, Number, String, Array, Object };
  using Member = std::pair<std::string, Json>;

  Json() = default;
  Json(std::nullptr_t) {}
  Json(bool b) : type_(Type::Bool) { v_.b = b; }
  template <typename T, std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Json(T v) : type_(Type::Number) { v_.num = static_cast<double>(v); }
  Json(const char* s) : Json(std::string(s)) {}
  Json(std::string s) : type_(Type::String) { v_.str = new std::string(std::move(s)); }
  static Json array();
  static Json object();
  Json(const Json& other);
  Json(Json&& other) noexcept : type_(other.type_), v_(other.v_) { other.type_ = Type::Null; }
  Json& operator=(const Json& other);
  Json& operator=(Json&& other) noexcept;
  ~Json() { release(); }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_bool() const { return type_ == Type::Bool; }
  bool is_number() const { return type_ == Type::Number; }
  bool is_string() const { return type_ == Type::String; }
  bool is_array() const { return type_ == Type::Array; }
  bool is_object() const { return type_ == Type::Object; }

  bool as_bool() const;
  double as_number() const;
  const std::string& as_string() const;
  const std::vector<Json>& items() const;      // array elements
  const std::vector<Member>& members() const;  // object members, in insertion order
  std::vector<Json>& items();
  std::vector<Member>& members();

  // Object access. find() returns nullptr when absent; set() replaces or appends.
  const Json* find(std::string_view key) const;
  Json* find(std::string_view key) { return const_cast<Json*>(static_cast<const Json*>(this)->find(key)); }
  Json& set(const std::string& key, Json value);
  Json& push(Json value);  // append to an array
  size_t size() const;     // elements or members

  // Typed getters for objects that throw Error(code) naming `what.key` when missing or mistyped.
  // Integers must be whole numbers within [lo, hi].
  int64_t get_int(std::string_view key, int64_t lo, int64_t hi) const;
  double get_number(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  const std::string& get_string(std::string_view key) const;
  const Json& get(std::string_view key, Type type) const;

  // Compact serialization; numbers round-trip exactly, members keep their order.
  std::string dump() const;
  void dump_to(std::string& out) const;

  // Strict RFC 8259 parsing. Throws Error(InvalidArgument) naming the byte offset on bad input.
  static Json parse(std::string_view text, int max_depth = 64);

 private:
  void release() noexcept;
  // 16 bytes per value: a parsed header costs at most 8 bytes per header byte (each value
  // takes at least two bytes of JSON text), plus its strings.
  Type type_ = Type::Null;
  union Payload {
    bool b;
    double num;
    std::string* str;
    std::vector<Json>* arr;
    std::vector<Member>* obj;
  } v_{};
};

// Parses a u64 written as a decimal string (how 64-bit seeds and generator states are stored,
// since JSON numbers are doubles). Only digits, at most 20, no overflow; false otherwise.
bool parse_u64(std::string_view s, uint64_t& out);

// The shortest decimal that reads back as f, as a double: so a float setting such as 1e-3f is
// written "0.001", not "0.0010000000474974513".
double json_float(float f);

// Appends s to out as a JSON string literal (with quotes).
void json_escape(std::string& out, std::string_view s);

}  // namespace sllm
