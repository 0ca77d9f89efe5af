// options.cpp: the value checks and conversions of option schemas (see options.h).
#include "core/options.h"

#include <cmath>

namespace sllm {

const char* option_kind_name(OptionKind k) {
  switch (k) {
    case OptionKind::Int: return "int";
    case OptionKind::Number: return "number";
    case OptionKind::Bool: return "boolean";
    case OptionKind::String: return "string";
    case OptionKind::Seed: return "seed";
  }
  return "?";
}

namespace {
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}
}  // namespace

void check_option_value(const char* what, const char* key, const char* ts, const char* flag, OptionKind kind,
                        double lo, double hi, const std::vector<std::string>& choices, const Json& v,
                        ErrorCode code) {
  std::string name = "\"" + std::string(key) + "\"", aka;
  if (std::string_view(ts) != key) aka = ts;
  if (*flag) aka += (aka.empty() ? "--" : ", --") + std::string(flag);
  if (!aka.empty()) name += " (" + aka + ")";
  auto bad = [&](const std::string& msg) { fail(code, std::string("invalid ") + what + " " + name + ": " + msg); };
  switch (kind) {
    case OptionKind::Bool:
      if (!v.is_bool()) bad("must be true or false");
      return;
    case OptionKind::String:
      if (!v.is_string()) bad("must be a string");
      if (!choices.empty()) {
        std::string list;
        for (const auto& c : choices) {
          if (c == v.as_string()) return;
          list += (list.empty() ? "\"" : ", \"") + c + "\"";
        }
        bad("\"" + v.as_string() + "\" is not one of " + list);
      }
      return;
    case OptionKind::Seed: {
      uint64_t u = 0;
      if (v.is_string() && parse_u64(v.as_string(), u)) return;
      if (v.is_number() && v.as_number() >= 0 && v.as_number() <= 9007199254740992.0 &&
          v.as_number() == std::floor(v.as_number()))
        return;
      bad("must be a whole number from 0 to 2^53, or a decimal string of one up to 2^64-1");
      return;
    }
    case OptionKind::Int:
    case OptionKind::Number: {
      if (!v.is_number() || !std::isfinite(v.as_number())) bad("must be a number");
      const double x = v.as_number();
      if (kind == OptionKind::Int && x != std::floor(x)) bad("must be a whole number, not " + num(x));
      if (x < lo || x > hi) bad(num(x) + " is out of range; it must be from " + num(lo) + " to " + num(hi));
      return;
    }
  }
}

void option_assign(uint64_t& f, const Json& j) {
  if (j.is_string()) parse_u64(j.as_string(), f);
  else f = uint64_t(j.as_number());
}

}  // namespace sllm
