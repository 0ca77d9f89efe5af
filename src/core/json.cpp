// json.cpp: the JSON value (storage, access, typed getters) and its deterministic writer;
// the parser is in json_parse.cpp.
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


}  // namespace sllm
