// option_flags.h: the native tools' flags for an option schema (core/options.h): which flags it
// has (switches for booleans), the JSON of the ones given on the command line (for the settings'
// with_overrides, which checks them and applies derived defaults), and the lines of --help.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "cli/args.h"
#include "core/options.h"

namespace sllm::cli {

// Appends the schema's flag names to known, and those that take no value (booleans) to switches.
template <class S>
void add_flags(const OptionSchema<S>& schema, std::vector<std::string>& known, std::vector<std::string>& switches) {
  for (const auto& o : schema.options) {
    if (!*o.flag) continue;
    known.emplace_back(o.flag);
    if (o.kind == OptionKind::Bool) switches.emplace_back(o.flag);
  }
}

// The options given as flags, as a JSON object of their keys. A boolean's switch sets the
// opposite of its value in defaults. A malformed number exits with an error naming the flag.
template <class S>
Json given_flags(const OptionSchema<S>& schema, const Args& args, const S& defaults) {
  Json j = Json::object();
  for (const auto& o : schema.options) {
    if (!*o.flag || !args.has(o.flag)) continue;
    switch (o.kind) {
      case OptionKind::Bool: j.set(o.key, !o.get(defaults).as_bool()); break;
      case OptionKind::String: j.set(o.key, args.str(o.flag)); break;
      case OptionKind::Int: j.set(o.key, double(args.integer(o.flag, 0))); break;
      case OptionKind::Number: j.set(o.key, args.number(o.flag, 0)); break;
      case OptionKind::Seed: j.set(o.key, args.str(o.flag)); break;
    }
  }
  return j;
}

// --help lines for the schema's flags: "  --flag V   doc (default d)", defaults from `defaults`.
template <class S>
std::string flags_help(const OptionSchema<S>& schema, const S& defaults) {
  std::string out;
  for (const auto& o : schema.options) {
    if (!*o.flag) continue;
    std::string name = std::string("--") + o.flag;
    if (o.kind != OptionKind::Bool) name += o.kind == OptionKind::String ? " S" : o.kind == OptionKind::Number ? " X" : " N";
    const Json d = o.get(defaults);
    std::string def = d.is_string() ? d.as_string() : d.dump();
    char line[512];
    const std::string tail = o.kind != OptionKind::Bool ? " (default " + def + ")"
                             : d.as_bool()                ? " (on unless this switch is given)"
                                                          : " (off unless this switch is given)";
    std::snprintf(line, sizeof line, "  %-20s %s%s\n", name.c_str(), o.doc, tail.c_str());
    out += line;
  }
  return out;
}

}  // namespace sllm::cli
