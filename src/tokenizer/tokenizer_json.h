// tokenizer_json.h: what a tokenizer is restored from. Its small members (type, specials, ...)
// come as a Json object; its big string arrays ("tokens", and BPE's "merges") come one string
// at a time. A Json value serves both (JsonTokenizerSource). The SLLM file reader streams the
// arrays straight from the header text instead, so loading a tokenizer takes no more memory
// than the tokenizer itself (see format/header_reader.cpp).
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "core/json.h"

namespace sllm {

class TokenizerSource {
 public:
  virtual ~TokenizerSource() = default;
  // The tokenizer member (it may lack the string arrays, which are read with strings()).
  virtual const Json& object() const = 0;
  // The element count of the array member key, or -1 when there is none. Throws Error(Format)
  // "<what> \"<key>\" must be an array of strings" when it is not an array.
  virtual int64_t count(const char* key, const std::string& what) const = 0;
  // Calls f(i, s) for the elements of key in order; throws Error(Format) "<what> \"<key>\" must
  // hold only strings" at an element that is not a string.
  virtual void strings(const char* key, const std::string& what,
                       const std::function<void(size_t, std::string&&)>& f) const = 0;
  // Calls f(i, x) for the elements of the array member key in order; returns false when there
  // is no such member. Throws Error(Format) "<what> \"<key>\" must be an array of numbers" when
  // it is not an array of numbers.
  virtual bool numbers(const char* key, const std::string& what, const std::function<void(size_t, double)>& f) const = 0;
};

// A tokenizer member already parsed into a Json object.
class JsonTokenizerSource final : public TokenizerSource {
 public:
  explicit JsonTokenizerSource(const Json& j) : j_(j) {}
  const Json& object() const override { return j_; }
  int64_t count(const char* key, const std::string& what) const override;
  void strings(const char* key, const std::string& what,
               const std::function<void(size_t, std::string&&)>& f) const override;
  bool numbers(const char* key, const std::string& what, const std::function<void(size_t, double)>& f) const override;

 private:
  const Json& j_;
};

[[noreturn]] void fail_not_string_array(const char* key, const std::string& what);
[[noreturn]] void fail_not_string(const char* key, const std::string& what);
[[noreturn]] void fail_not_number_array(const char* key, const std::string& what);

}  // namespace sllm
