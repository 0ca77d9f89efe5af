// json.cpp: the strict parser and deterministic writer declared in json.h.
#include "core/json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/error.h"

namespace sllm {

namespace {

[[noreturn]] void type_error(const char* want) {
  fail(ErrorCode::InvalidArgument, std::string("JSON value is not ") + want);
}

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

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
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
          append_utf8(out, cp);
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

void dump_number(std::string& out, double v) {
  if (!std::isfinite(v)) { out += "null"; return; }
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    out += buf;
    return;
  }
  for (int prec = 6; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  out += buf;
}

}  // namespace

Json Json::array() {
  Json j;
  j.type_ = Type::Array;
  j.v_.arr = new std::vector<Json>();
  return j;
}

Json Json::object() {
  Json j;
  j.type_ = Type::Object;
  j.v_.obj = new std::vector<Member>();
  return j;
}

void Json::release() noexcept {
  switch (type_) {
    case Type::String: delete v_.str; break;
    case Type::Array: delete v_.arr; break;
    case Type::Object: delete v_.obj; break;
    default: break;
  }
  type_ = Type::Null;
}

Json::Json(const Json& o) : type_(o.type_), v_(o.v_) {
  switch (type_) {
    case Type::String: v_.str = new std::string(*o.v_.str); break;
    case Type::Array: v_.arr = new std::vector<Json>(*o.v_.arr); break;
    case Type::Object: v_.obj = new std::vector<Member>(*o.v_.obj); break;
    default: break;
  }
}

Json& Json::operator=(const Json& o) {
  if (this != &o) {
    Json copy(o);
    *this = std::move(copy);
  }
  return *this;
}

Json& Json::operator=(Json&& o) noexcept {
  if (this != &o) {
    release();
    type_ = o.type_;
    v_ = o.v_;
    o.type_ = Type::Null;
  }
  return *this;
}

bool Json::as_bool() const { if (!is_bool()) type_error("a boolean"); return v_.b; }
double Json::as_number() const { if (!is_number()) type_error("a number"); return v_.num; }
const std::string& Json::as_string() const { if (!is_string()) type_error("a string"); return *v_.str; }
const std::vector<Json>& Json::items() const { if (!is_array()) type_error("an array"); return *v_.arr; }
const std::vector<Json::Member>& Json::members() const { if (!is_object()) type_error("an object"); return *v_.obj; }
std::vector<Json>& Json::items() { if (!is_array()) type_error("an array"); return *v_.arr; }
std::vector<Json::Member>& Json::members() { if (!is_object()) type_error("an object"); return *v_.obj; }

size_t Json::size() const {
  if (is_array()) return v_.arr->size();
  if (is_object()) return v_.obj->size();
  return 0;
}

const Json* Json::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (auto& m : *v_.obj)
    if (m.first == key) return &m.second;
  return nullptr;
}

Json& Json::set(const std::string& key, Json value) {
  auto& ms = members();
  for (auto& m : ms)
    if (m.first == key) { m.second = std::move(value); return m.second; }
  ms.emplace_back(key, std::move(value));
  return ms.back().second;
}

Json& Json::push(Json value) {
  auto& a = items();
  a.push_back(std::move(value));
  return a.back();
}

const Json& Json::get(std::string_view key, Type type) const {
  static const char* names[] = {"null", "a boolean", "a number", "a string", "an array", "an object"};
  const Json* v = find(key);
  if (!v) fail(ErrorCode::InvalidArgument, "missing \"" + std::string(key) + "\"");
  if (v->type() != type)
    fail(ErrorCode::InvalidArgument, "\"" + std::string(key) + "\" must be " + names[int(type)]);
  return *v;
}

int64_t Json::get_int(std::string_view key, int64_t lo, int64_t hi) const {
  double d = get(key, Type::Number).as_number();
  if (d != std::floor(d) || d < double(lo) || d > double(hi))
    fail(ErrorCode::InvalidArgument, "\"" + std::string(key) + "\" must be a whole number from " +
                                         std::to_string(lo) + " to " + std::to_string(hi));
  return static_cast<int64_t>(d);
}
double Json::get_number(std::string_view key) const { return get(key, Type::Number).as_number(); }
bool Json::get_bool(std::string_view key) const { return get(key, Type::Bool).as_bool(); }
const std::string& Json::get_string(std::string_view key) const { return get(key, Type::String).as_string(); }

bool parse_u64(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = uint64_t(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

double json_float(float f) {
  if (!std::isfinite(f)) return double(f);
  char buf[32];
  for (int prec = 1; prec <= 9; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, double(f));
    if (std::strtof(buf, nullptr) == f) break;
  }
  return std::strtod(buf, nullptr);
}

void json_escape(std::string& out, std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void Json::dump_to(std::string& out) const {
  switch (type_) {
    case Type::Null: out += "null"; break;
    case Type::Bool: out += v_.b ? "true" : "false"; break;
    case Type::Number: dump_number(out, v_.num); break;
    case Type::String: json_escape(out, *v_.str); break;
    case Type::Array:
      out += '[';
      for (size_t i = 0; i < v_.arr->size(); ++i) {
        if (i) out += ',';
        (*v_.arr)[i].dump_to(out);
      }
      out += ']';
      break;
    case Type::Object:
      out += '{';
      for (size_t i = 0; i < v_.obj->size(); ++i) {
        if (i) out += ',';
        json_escape(out, (*v_.obj)[i].first);
        out += ':';
        (*v_.obj)[i].second.dump_to(out);
      }
      out += '}';
      break;
  }
}

std::string Json::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

Json Json::parse(std::string_view text, int max_depth) { return Parser(text, max_depth).parse_document(); }

}  // namespace sllm
