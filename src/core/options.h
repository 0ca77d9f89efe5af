// options.h: option schemas. Every option of a settings struct (the model's config, the
// trainer's, the sampler's) is written once, in a table: its JSON key (snake_case, as SLLM files
// and the bindings' JSON use it), its name in the TypeScript package, its command-line flag,
// its kind, range and default, and one line of documentation. Reading and writing JSON, the
// native tools' flags and --help, and (through optionSchemaJson, scripts/gen-options.mjs) the
// package's option tables and types and docs/options.md all come from the tables: a new option
// is one line. The tables: model/config_options.cpp, train/train_options.cpp,
// generate/sample_options.cpp.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace sllm {

// Seed: a u64, written to JSON as a decimal string (JSON numbers are doubles), read from a string
// or a whole number up to 2^53.
enum class OptionKind { Int, Number, Bool, String, Seed };
const char* option_kind_name(OptionKind k);  // "int", "number", "boolean", "string", "seed"

template <class S>
struct Option {
  const char* key;   // JSON key
  const char* ts;    // the package's name (camelCase)
  const char* flag;  // native tools' flag without "--" ("" = none). A Bool's flag is a switch
                     // that sets the option to the opposite of its default.
  OptionKind kind;
  double lo, hi;     // inclusive range of Int, Number and Seed values
  const char* doc;   // one line: what it is, for the package's types, --help and the docs
  Json (*get)(const S&);
  void (*set)(S&, const Json&);  // the value has passed check_option_value
  std::vector<std::string> (*choices)() = nullptr;  // String options with a fixed set of values
};

template <class S>
struct OptionSchema {
  const char* what;  // "model option", "training option", "generation option"
  std::vector<Option<S>> options;

  const Option<S>* find(std::string_view key) const {
    for (const auto& o : options)
      if (key == o.key) return &o;
    return nullptr;
  }
  // Reads j's members (an object) into s. A value of the wrong kind or out of range throws
  // Error(code) naming the option; so does an unknown key (listing the options), unless
  // skip_unknown (a file's readers ignore members they do not know).
  void read(const Json& j, S& s, ErrorCode code, bool skip_unknown = false) const;
  // Checks every option's current value in s against its kind and range (Error(code)).
  void check(const S& s, ErrorCode code) const;
  // Every option of s as a JSON object.
  Json write(const S& s) const;
  // The schema for the package's generator: [{key, ts, flag, kind, lo?, hi?, choices?, doc,
  // default}], with defaults taken from `defaults`.
  Json describe(const S& defaults) const;
};

// o, restricted to the values choices() lists.
template <class S>
Option<S> with_choices(Option<S> o, std::vector<std::string> (*choices)()) {
  o.choices = choices;
  return o;
}

// Checks one value against an option (kind, whole number, range, choices); throws Error(code)
// naming the option by its key, its package name and its flag: "lr" (learningRate, --lr).
void check_option_value(const char* what, const char* key, const char* ts, const char* flag, OptionKind kind,
                        double lo, double hi, const std::vector<std::string>& choices, const Json& v,
                        ErrorCode code);

// JSON <-> field conversions the SLLM_OPTION macro uses.
inline Json option_json(int v) { return Json(v); }
inline Json option_json(int64_t v) { return Json(v); }
inline Json option_json(float v) { return Json(json_float(v)); }
inline Json option_json(bool v) { return Json(v); }
inline Json option_json(const std::string& v) { return Json(v); }
inline Json option_json(uint64_t v) { return Json(std::to_string(v)); }
inline void option_assign(int& f, const Json& j) { f = int(j.as_number()); }
inline void option_assign(int64_t& f, const Json& j) { f = int64_t(j.as_number()); }
inline void option_assign(float& f, const Json& j) { f = float(j.as_number()); }
inline void option_assign(bool& f, const Json& j) { f = j.as_bool(); }
inline void option_assign(std::string& f, const Json& j) { f = j.as_string(); }
void option_assign(uint64_t& f, const Json& j);

template <class S>
void OptionSchema<S>::read(const Json& j, S& s, ErrorCode code, bool skip_unknown) const {
  if (!j.is_object()) fail(code, std::string(what) + "s must be an object");
  for (const auto& m : j.members()) {
    const Option<S>* o = find(m.first);
    if (!o && skip_unknown) continue;
    if (!o) {
      std::string list;
      for (const auto& x : options) list += (list.empty() ? "" : ", ") + std::string(x.key);
      fail(code, "unknown " + std::string(what) + " \"" + m.first + "\"; the options are " + list);
    }
    check_option_value(what, o->key, o->ts, o->flag, o->kind, o->lo, o->hi,
                       o->choices ? o->choices() : std::vector<std::string>{}, m.second, code);
    o->set(s, m.second);
  }
}

template <class S>
void OptionSchema<S>::check(const S& s, ErrorCode code) const {
  for (const auto& o : options)
    check_option_value(what, o.key, o.ts, o.flag, o.kind, o.lo, o.hi,
                       o.choices ? o.choices() : std::vector<std::string>{}, o.get(s), code);
}

template <class S>
Json OptionSchema<S>::write(const S& s) const {
  Json j = Json::object();
  for (const auto& o : options) j.set(o.key, o.get(s));
  return j;
}

template <class S>
Json OptionSchema<S>::describe(const S& defaults) const {
  Json all = Json::array();
  for (const auto& o : options) {
    Json d = Json::object();
    d.set("key", o.key);
    d.set("ts", o.ts);
    d.set("flag", o.flag);
    d.set("kind", option_kind_name(o.kind));
    if (o.kind == OptionKind::Int || o.kind == OptionKind::Number || o.kind == OptionKind::Seed) {
      d.set("lo", o.lo);
      d.set("hi", o.hi);
    }
    if (o.choices) {
      Json c = Json::array();
      for (const auto& x : o.choices()) c.push(x);
      d.set("choices", std::move(c));
    }
    d.set("doc", o.doc);
    d.set("default", o.get(defaults));
    all.push(std::move(d));
  }
  return all;
}

}  // namespace sllm

// One table row: SLLM_OPTION(Struct, field expression, key, ts name, flag, Kind, lo, hi, doc).
#define SLLM_OPTION(S, field, key, ts, flag, kind, lo, hi, doc)                                       \
  ::sllm::Option<S> {                                                                                  \
    key, ts, flag, ::sllm::OptionKind::kind, double(lo), double(hi), doc,                              \
        [](const S& s) { return ::sllm::option_json(s.field); },                                       \
        [](S& s, const ::sllm::Json& j) { ::sllm::option_assign(s.field, j); }                         \
  }
