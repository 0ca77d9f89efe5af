// header_reader.h: the JSON header of an SLLM file, read within a memory budget (the reader's
// half of "never allocates more than the file's size plus the model it describes"). One
// validating pass finds the known top-level members; unknown members are checked and skipped,
// never stored. The small members (model, training, metadata) are built as Json values; the
// tensor list is handed over one entry at a time; the tokenizer's big string arrays are
// streamed into the tokenizer (a TokenizerSource), so they never exist as Json values.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

#include "core/json.h"
#include "core/json_reader.h"
#include "tokenizer/tokenizer_json.h"

namespace sllm {

class HeaderReader {
 public:
  // Check 6: text is valid UTF-8 JSON, an object, with the required members of the right types.
  // Values built from it may take at most budget bytes. Throws Error(Format).
  HeaderReader(std::string_view text, size_t budget);
  ~HeaderReader();

  const Json& model() const { return model_; }
  const Json* training() const { return training_.is_null() ? nullptr : &training_; }
  const Json* metadata() const { return metadata_.is_null() ? nullptr : &metadata_; }

  size_t tensor_count();
  // Calls f(i, entry) for each entry of "tensors", built one at a time.
  void each_tensor(const std::function<void(size_t, const Json&)>& f);
  // The tokenizer member, its "tokens" and "merges" read from the text when asked for.
  const TokenizerSource& tokenizer();

 private:
  class Tokenizer;
  static constexpr size_t kAbsent = SIZE_MAX;
  JsonReader r_;
  size_t model_at_ = kAbsent, tokenizer_at_ = kAbsent, tensors_at_ = kAbsent, training_at_ = kAbsent,
         metadata_at_ = kAbsent;
  Json model_, training_, metadata_;
  std::unique_ptr<Tokenizer> tokenizer_;

  Json build(size_t at);  // the value at a member's position
  friend class Tokenizer;
};

}  // namespace sllm
