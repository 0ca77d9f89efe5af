// error.h: the one exception type the core throws, with a code that names its category.
// The bindings turn each code into a named JS Error subclass; the CLI prints the message.
#pragma once
#include <stdexcept>
#include <string>

namespace sllm {

enum class ErrorCode {
  InvalidArgument,  // a bad value passed by the caller (shape, option, index)
  Config,           // an inconsistent model or training configuration
  Tokenizer,        // text the tokenizer cannot encode, or a bad vocabulary
  Data,             // a corpus too small or otherwise unusable
  Format,           // an SLLM file that fails one of the reader's checks
  AdapterFile,      // an SLLM file holding a LoRA adapter where a model was expected
  Training,         // training diverged (NaN/Inf loss) or was misused
  OutOfMemory,      // an allocation the core could not make
  Internal,         // a bug: an invariant that should never fail
};
constexpr int kErrorCodes = int(ErrorCode::Internal) + 1;  // Internal stays last

inline const char* error_code_name(ErrorCode c) {
  switch (c) {
    case ErrorCode::InvalidArgument: return "InvalidArgument";
    case ErrorCode::Config: return "Config";
    case ErrorCode::Tokenizer: return "Tokenizer";
    case ErrorCode::Data: return "Data";
    case ErrorCode::Format: return "Format";
    case ErrorCode::AdapterFile: return "AdapterFile";
    case ErrorCode::Training: return "Training";
    case ErrorCode::OutOfMemory: return "OutOfMemory";
    case ErrorCode::Internal: return "Internal";
  }
  return "Internal";
}

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& msg) : std::runtime_error(msg), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

[[noreturn]] inline void fail(ErrorCode code, const std::string& msg) { throw Error(code, msg); }

}  // namespace sllm
