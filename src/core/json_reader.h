// json_reader.h: a pull reader over JSON text (RFC 8259, strict: UTF-8 validated, nesting depth
// limited, duplicate keys rejected in the values it builds, never reads past the text). Besides
// whole values (value()), it walks objects and arrays member by member and skips values it is
// not asked to keep, validating them without storing anything. Every byte the values it builds
// allocate is charged to a budget, so untrusted text cannot make it allocate more than the
// caller allows (Json::parse is this reader with an unlimited budget).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json.h"

namespace sllm {

class JsonReader {
 public:
  static constexpr size_t kUnlimited = SIZE_MAX;
  // budget: bytes that the values value() and string() return may allocate in all (a key from
  // next_member is not charged: the caller holds one at a time, and it is shorter than the text).
  explicit JsonReader(std::string_view text, int max_depth = 64, size_t budget = kUnlimited);

  // The next value's first character after whitespace: '{', '[', '"', 't', 'f', 'n' or '-'/digit.
  // Throws at the end of the text.
  char peek_value();
  Json value();                // the next value, built
  // The next value, built, its charge refunded: for a value the caller drops before reading
  // the next one (an entry of a long list), so the budget bounds one entry at a time.
  Json entry_value();
  void skip();                 // the next value, validated and passed over without storing it
  std::string string();        // the next value, which must be a string (else error(what))
  void begin_object();         // the next value must be an object; enters it
  bool next_member(std::string& key);  // the next member's key (then read its value), false at '}'
  void begin_array();          // the next value must be an array; enters it
  bool next_item();            // true when another element follows (then read it), false at ']'
  size_t count_items();        // at an array (not entered): its element count; the position stays
  void end();                  // only whitespace remains

  size_t pos() const { return pos_; }
  void seek(size_t pos) { pos_ = pos; }  // back to a place this reader has been (at depth 0)
  size_t charged() const { return charged_; }  // bytes charged to the budget so far
  void refund(size_t bytes) { charged_ -= bytes; }  // for built values the caller has freed
  bool over_budget() const { return charged_ > budget_; }  // why the last error was thrown

  // Throws Error(InvalidArgument) "invalid JSON at byte N: what".
  [[noreturn]] void error(const std::string& what) const;

  // A whole document of untrusted text, built within a budget proportional to its size
  // (16 bytes per byte of text, plus 64 KiB): never more memory than the text can justify.
  static Json parse_bounded(std::string_view text);

 private:
  std::string_view s_;
  size_t pos_ = 0;
  int max_depth_;
  size_t budget_, charged_ = 0;
  // Open containers entered with begin_object/begin_array: whether the next one is the first.
  int depth_ = 0;
  bool first_[65] = {};

  void charge(size_t bytes);
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }
  void skip_ws();
  void expect_word(const char* w);
  void enter(char open);
  bool next_in(char close);
  Json parse_value(int depth);
  Json parse_object(int depth);
  Json parse_array(int depth);
  void skip_value(int depth);
  unsigned hex4();
  void copy_utf8(std::string* out);
  void scan_string(std::string* out);  // out null: validate only
  double parse_number();
};

}  // namespace sllm
