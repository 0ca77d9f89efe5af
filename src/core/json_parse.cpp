// json_parse.cpp: JsonReader, the strict pull reader behind Json::parse (RFC 8259; UTF-8
// validated, nesting depth limited, duplicate keys rejected, never reads past the input, and
// every byte the values it builds allocate charged to a budget).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/error.h"
#include "core/json.h"
#include "core/json_reader.h"
#include "core/utf8.h"

namespace sllm {

namespace {
// What an allocation of n bytes takes from the heap, a little over (allocator header, rounding).
size_t heap_cost(size_t n) { return (n + 15) / 16 * 16 + 16; }
// A std::string's own heap buffer beyond its inline (small-string) storage.
size_t string_cost(size_t capacity) { return capacity > 15 ? heap_cost(capacity + 1) : 0; }
}  // namespace

JsonReader::JsonReader(std::string_view text, int max_depth, size_t budget)
    : s_(text), max_depth_(std::min(max_depth, 64)), budget_(budget) {}

void JsonReader::error(const std::string& what) const {
  fail(ErrorCode::InvalidArgument, "invalid JSON at byte " + std::to_string(pos_) + ": " + what);
}

void JsonReader::charge(size_t bytes) {
  charged_ += bytes;
  if (charged_ > budget_)
    fail(ErrorCode::InvalidArgument, "JSON text at byte " + std::to_string(pos_) + " would take more than " +
                                         std::to_string(budget_) + " bytes of memory to hold");
}

void JsonReader::skip_ws() {
  while (!at_end()) {
    char c = s_[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') ++pos_;
    else break;
  }
}

void JsonReader::expect_word(const char* w) {
  size_t n = std::strlen(w);
  if (s_.size() - pos_ < n || s_.compare(pos_, n, w) != 0) error("unknown literal");
  pos_ += n;
}

char JsonReader::peek_value() {
  skip_ws();
  if (at_end()) error("unexpected end of input");
  return s_[pos_];
}

Json JsonReader::value() {
  skip_ws();
  return parse_value(depth_);
}

void JsonReader::skip() {
  skip_ws();
  skip_value(depth_);
}

std::string JsonReader::string() {
  if (peek_value() != '"') error("expected a string");
  size_t start = pos_;
  scan_string(nullptr);
  std::string out;
  charge(string_cost(pos_ - start));
  out.reserve(pos_ - start);
  pos_ = start;
  scan_string(&out);
  return out;
}

void JsonReader::end() {
  skip_ws();
  if (!at_end()) error("unexpected characters after the JSON value");
}

void JsonReader::enter(char open) {
  if (peek_value() != open) error(open == '{' ? "expected an object" : "expected an array");
  if (depth_ >= max_depth_) error("nesting too deep");
  ++pos_;
  first_[++depth_] = true;
}

bool JsonReader::next_in(char close) {
  skip_ws();
  if (peek() == close) {
    ++pos_;
    --depth_;
    return false;
  }
  if (!first_[depth_]) {
    if (peek() != ',') error(close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    ++pos_;
    skip_ws();
  }
  first_[depth_] = false;
  return true;
}

void JsonReader::begin_object() { enter('{'); }
void JsonReader::begin_array() { enter('['); }

bool JsonReader::next_member(std::string& key) {
  if (!next_in('}')) return false;
  if (peek() != '"') error("expected a string key");
  const size_t before = charged_;
  key = string();
  charged_ = before;
  skip_ws();
  if (peek() != ':') error("expected ':'");
  ++pos_;
  return true;
}

bool JsonReader::next_item() { return next_in(']'); }

size_t JsonReader::count_items() {
  size_t start = pos_, n = 0;
  begin_array();
  while (next_item()) {
    skip();
    ++n;
  }
  pos_ = start;
  return n;
}

Json JsonReader::parse_value(int depth) {
  if (depth > max_depth_) error("nesting too deep");
  if (at_end()) error("unexpected end of input");
  char c = s_[pos_];
  switch (c) {
    case '{': return parse_object(depth);
    case '[': return parse_array(depth);
    case '"': {
      charge(heap_cost(sizeof(std::string)));
      return Json(string());
    }
    case 't': expect_word("true"); return Json(true);
    case 'f': expect_word("false"); return Json(false);
    case 'n': expect_word("null"); return Json(nullptr);
    default:
      if (c == '-' || (c >= '0' && c <= '9')) return Json(parse_number());
      error("unexpected character");
  }
}

void JsonReader::skip_value(int depth) {
  if (depth > max_depth_) error("nesting too deep");
  if (at_end()) error("unexpected end of input");
  char c = s_[pos_];
  if (c == '"') return scan_string(nullptr);
  if (c == 't') return expect_word("true");
  if (c == 'f') return expect_word("false");
  if (c == 'n') return expect_word("null");
  if (c == '-' || (c >= '0' && c <= '9')) {
    parse_number();
    return;
  }
  if (c != '{' && c != '[') error("unexpected character");
  const char close = c == '{' ? '}' : ']';
  ++pos_;
  skip_ws();
  if (peek() == close) { ++pos_; return; }
  for (;;) {
    skip_ws();
    if (close == '}') {
      if (peek() != '"') error("expected a string key");
      scan_string(nullptr);
      skip_ws();
      if (peek() != ':') error("expected ':'");
      ++pos_;
      skip_ws();
    }
    skip_value(depth + 1);
    skip_ws();
    char n = peek();
    if (n == ',') { ++pos_; continue; }
    if (n == close) { ++pos_; return; }
    error(close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
  }
}

Json JsonReader::parse_object(int depth) {
  charge(heap_cost(sizeof(std::vector<Json::Member>)));
  Json obj = Json::object();
  ++pos_;  // '{'
  skip_ws();
  if (peek() == '}') { ++pos_; return obj; }
  auto& members = obj.members();
  for (;;) {
    skip_ws();
    if (peek() != '"') error("expected a string key");
    if (members.size() == members.capacity()) {
      size_t cap = members.empty() ? 4 : 2 * members.capacity();
      charge(heap_cost(cap * sizeof(Json::Member)));
      if (members.capacity()) refund(heap_cost(members.capacity() * sizeof(Json::Member)));
      members.reserve(cap);
    }
    std::string key = string();
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
  if (members.size() >= 2) {
    std::vector<const std::string*> keys;
    keys.reserve(members.size());
    for (auto& m : members) keys.push_back(&m.first);
    std::sort(keys.begin(), keys.end(), [](auto a, auto b) { return *a < *b; });
    for (size_t i = 1; i < keys.size(); ++i)
      if (*keys[i] == *keys[i - 1]) error("duplicate key \"" + *keys[i] + "\"");
  }
  return obj;
}

Json JsonReader::parse_array(int depth) {
  charge(heap_cost(sizeof(std::vector<Json>)));
  Json arr = Json::array();
  ++pos_;  // '['
  skip_ws();
  if (peek() == ']') { ++pos_; return arr; }
  auto& items = arr.items();
  for (;;) {
    skip_ws();
    if (items.size() == items.capacity()) {
      size_t cap = items.empty() ? 4 : 2 * items.capacity();
      charge(heap_cost(cap * sizeof(Json)));
      if (items.capacity()) refund(heap_cost(items.capacity() * sizeof(Json)));
      items.reserve(cap);
    }
    items.push_back(parse_value(depth + 1));
    skip_ws();
    char c = peek();
    if (c == ',') { ++pos_; continue; }
    if (c == ']') { ++pos_; break; }
    error("expected ',' or ']'");
  }
  return arr;
}

unsigned JsonReader::hex4() {
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

// Copies (when out is set) one raw UTF-8 sequence starting at pos_, validating it strictly.
void JsonReader::copy_utf8(std::string* out) {
  auto b0 = static_cast<unsigned char>(s_[pos_]);
  int n;
  unsigned cp, min;
  if (b0 < 0x80) {
    if (out) *out += char(b0);
    ++pos_;
    return;
  }
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
  if (out) out->append(s_.data() + pos_, size_t(n) + 1);
  pos_ += size_t(n) + 1;
}

// A string literal at pos_: decoded into out (when set), or only validated. The decoded form
// is never longer than the literal, so a caller may reserve the literal's length.
void JsonReader::scan_string(std::string* out) {
  ++pos_;  // opening quote
  for (;;) {
    if (at_end()) error("unterminated string");
    auto c = static_cast<unsigned char>(s_[pos_]);
    if (c == '"') { ++pos_; return; }
    if (c < 0x20) error("control character in string");
    if (c != '\\') { copy_utf8(out); continue; }
    ++pos_;
    if (at_end()) error("unterminated escape");
    char e = s_[pos_++];
    char plain = 0;
    switch (e) {
      case '"': plain = '"'; break;
      case '\\': plain = '\\'; break;
      case '/': plain = '/'; break;
      case 'b': plain = '\b'; break;
      case 'f': plain = '\f'; break;
      case 'n': plain = '\n'; break;
      case 'r': plain = '\r'; break;
      case 't': plain = '\t'; break;
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
        if (out) utf8_append(*out, cp);
        continue;
      }
      default: error("unknown escape");
    }
    if (out) *out += plain;
  }
}

double JsonReader::parse_number() {
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
  char tmp[402];
  std::memcpy(tmp, s_.data() + start, pos_ - start);
  tmp[pos_ - start] = '\0';
  double v = std::strtod(tmp, nullptr);
  if (!std::isfinite(v)) error("number out of range");
  return v;
}

Json JsonReader::entry_value() {
  const size_t before = charged_;
  Json v = value();
  charged_ = before;
  return v;
}

Json JsonReader::parse_bounded(std::string_view text) {
  JsonReader r(text, 64, text.size() * 16 + 65536);
  Json v = r.value();
  r.end();
  return v;
}

Json Json::parse(std::string_view text, int max_depth) {
  JsonReader r(text, max_depth);
  Json v = r.value();
  r.end();
  return v;
}

}  // namespace sllm
