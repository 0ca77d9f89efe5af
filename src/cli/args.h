// args.h: a tiny command-line flag parser shared by the native tools (--name value, --flag).
#pragma once
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace sllm::cli {

class Args {
 public:
  // flags: names that take no value. Anything else starting with -- takes the next argument.
  Args(int argc, char** argv, const std::vector<std::string>& flags) {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (a.rfind("--", 0) != 0) { positional_.push_back(a); continue; }
      std::string name = a.substr(2), value = "1";
      auto eq = name.find('=');
      bool is_flag = false;
      for (auto& f : flags) is_flag |= (f == name);
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (!is_flag) {
        if (i + 1 >= argc) die("--" + name + " needs a value");
        value = argv[++i];
      }
      values_[name] = value;
    }
  }
  bool has(const std::string& k) const { return values_.count(k) != 0; }
  std::string str(const std::string& k, const std::string& def = "") const {
    auto it = values_.find(k);
    return it == values_.end() ? def : it->second;
  }
  long long integer(const std::string& k, long long def) const {
    if (!has(k)) return def;
    const std::string s = str(k);  // end points into it: it must outlive the check
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (!end || *end) die("--" + k + " must be a whole number, got \"" + s + "\"");
    return v;
  }
  double number(const std::string& k, double def) const {
    if (!has(k)) return def;
    const std::string s = str(k);
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (!end || *end) die("--" + k + " must be a number, got \"" + s + "\"");
    return v;
  }
  const std::vector<std::string>& positional() const { return positional_; }
  // Names given on the command line that are not in known: typos get an error, not silence.
  void reject_unknown(const std::vector<std::string>& known) const {
    for (auto& [k, v] : values_) {
      bool ok = false;
      for (auto& n : known) ok |= (n == k);
      if (!ok) die("unknown option --" + k + " (see --help)");
    }
  }
  [[noreturn]] static void die(const std::string& msg) {
    std::fprintf(stderr, "error: %s\n", msg.c_str());
    std::exit(2);
  }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace sllm::cli
