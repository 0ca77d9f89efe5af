// json_parse.cpp: the strict, bounded JSON parser behind Json::parse (RFC 8259; UTF-8
// validated, nesting depth limited, duplicate keys rejected, never reads past the input).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/error.h"
#include "core/json.h"
#include "core/utf8.h"

namespace sllm {

namespace {

class Parser {
 public:
  Parser(std::string_view s, int max_depth) : s_(s), max_depth_(max_depth) {}

  Json parse_document() {
    skip_ws();
    Json v = parse_value(0);
    skip_ws();
    if (pos_ != s_.size()) error("unexpected characters after the JSON value");
    return v;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
  int max_depth_;

  [[noreturn]] void error(const char* what) const {
    fail(ErrorCode::InvalidArgument, "invalid JSON at byte " + std::to_string(pos_) + ": " + what);
  }
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }
  void skip_ws() {
    while (!at_end()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') ++pos_;
      else break;
    }
  }
  void expect_word(const char* w) {
    size_t n = std::strlen(w);
    if (s_.size() - pos_ < n || s_.compare(pos_, n, w) != 0) error("unknown literal");
    pos_ += n;
  }

  Json parse_value(int depth) {
    if (depth > max_depth_) error("nesting too deep");
    if (at_end()) error("unexpected end of input");
    char c = s_[pos_];
    switch (c) {
      case '{': return parse_object(depth);
      case '[': return parse_array(depth);
      case '"': return Json(parse_string());
      case 't': expect_word("true"); return Json(true);
      case 'f': expect_word("false"); return Json(false);
      case 'n': expect_word("null"); return Json(nullptr);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return Json(parse_number());
        error("unexpected character");
    }
  }

  Json parse_object(int depth) {
    Json obj = Json::object();
    ++pos_;  // '{'
    skip_ws();
    if (peek() == '}') { ++pos_; return obj; }
    auto& members = obj.members();
    for (;;) {
      skip_ws();
      if (peek() != '"') error("expected a string key");
      std::string key = parse_string();
      skip_ws();
      if (peek() != ':') error("expected ':'");
      ++pos_;
      skip_ws();
      members.emplace_back(std::move(key), parse_value(depth + 1));
      skip_ws();
      char c = peek();
      if (c == ',') { ++pos_; continue; }
      if (c == '}') { ++pos_; break; }
      error("expected ',' or '}'");
    }
    check_unique_keys(members);
    return obj;
  }

  void check_unique_keys(const std::vector<Json::Member>& members) {
    if (members.size() < 2) return;
    std::vector<const std::string*> keys;
    keys.reserve(members.size());
    for (auto& m : members) keys.push_back(&m.first);
    std::sort(keys.begin(), keys.end(), [](auto a, auto b) { return *a < *b; });
    for (size_t i = 1; i < keys.size(); ++i)
      if (*keys[i] == *keys[i - 1]) error(("duplicate key \"" + *keys[i] + "\"").c_str());
  }

  Json parse_array(int depth) {
    Json arr = Json::array();
    ++pos_;  // '['
    skip_ws();
    if (peek() == ']') { ++pos_; return arr; }
    for (;;) {
      skip_ws();
      arr.items().push_back(parse_value(depth + 1));
      skip_ws();
      char c = peek();
      if (c == ',') { ++pos_; continue; }
      if (c == ']') { ++pos_; break; }
      error("expected ',' or ']'");
    }
    return arr;
  }

  unsigned hex4() {
    if (s_.size() - pos_ < 4) error("truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= unsigned(c - '0');
      else if (c >= 'a' && c <= 'f') v |= unsigned(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= unsigned(c - 'A' + 10);
      else error("bad hex digit in \\u escape");
    }
    return v;
  }

  // Copies one raw UTF-8 sequence starting at pos_, validating it strictly.
  void copy_utf8(std::string& out) {
    auto b0 = static_cast<unsigned char>(s_[pos_]);
    int n;
    unsigned cp, min;
    if (b0 < 0x80) { out += char(b0); ++pos_; return; }
    if ((b0 & 0xE0) == 0xC0) { n = 1; cp = b0 & 0x1F; min = 0x80; }
    else if ((b0 & 0xF0) == 0xE0) { n = 2; cp = b0 & 0x0F; min = 0x800; }
    else if ((b0 & 0xF8) == 0xF0) { n = 3; cp = b0 & 0x07; min = 0x10000; }
    else error("invalid UTF-8 lead byte");
    if (s_.size() - pos_ <= size_t(n)) error("truncated UTF-8 sequence");
    for (int i = 1; i <= n; ++i) {
      auto b = static_cast<unsigned char>(s_[pos_ + i]);
      if ((b & 0xC0) != 0x80) error("invalid UTF-8 continuation byte");
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) error("invalid UTF-8 code point");
    out.append(s_.data() + pos_, size_t(n) + 1);
    pos_ += size_t(n) + 1;
  }

  std::string parse_string() {
    ++pos_;  // opening quote
    std::string out;
    for (;;) {
      if (at_end()) error("unterminated string");
      auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') { ++pos_; return out; }
      if (c < 0x20) error("control character in string");
      if (c != '\\') { copy_utf8(out); continue; }
      ++pos_;
      if (at_end()) error("unterminated escape");
      char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) error("lone low surrogate in \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (s_.size() - pos_ < 6 || s_[pos_] != '\\' || s_[pos_ + 1] != 'u') error("lone high surrogate");
            pos_ += 2;
            unsigned lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) error("bad low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          utf8_append(out, cp);
          break;
        }
        default: error("unknown escape");
      }
    }
  }

  double parse_number() {
    size_t start = pos_;
    auto digit = [&] { return !at_end() && s_[pos_] >= '0' && s_[pos_] <= '9'; };
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
    } else if (digit()) {
      while (digit()) ++pos_;
    } else {
      error("bad number");
    }
    if (peek() == '.') {
      ++pos_;
      if (!digit()) error("bad fraction");
      while (digit()) ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!digit()) error("bad exponent");
      while (digit()) ++pos_;
    }
    if (pos_ - start > 400) error("number too long");
    std::string tmp(s_.substr(start, pos_ - start));
    double v = std::strtod(tmp.c_str(), nullptr);
    if (!std::isfinite(v)) error("number out of range");
    return v;
  }
};

}  // namespace

Json Json::parse(std::string_view text, int max_depth) { return Parser(text, max_depth).parse_document(); }

}  // namespace sllm
