// hf_tokenizer_doc.h: tokenizer.json read into its parts (internal to the Hugging Face
// tokenizer import, hf_tokenizer_import.cpp): the pipeline's small members as JSON, and the
// model's vocabulary and merges streamed from the text into plain tables (a Llama 3 file holds
// 128k tokens and 280k merges), each checked.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/json.h"

namespace sllm {

struct HfAddedToken {
  int32_t id = -1;
  std::string content;
  bool special = false, lstrip = false, rstrip = false, single_word = false;
};

struct HfTokenizerDoc {
  Json normalizer, pre_tokenizer, post_processor, decoder, truncation, padding;  // null when absent
  Json model;                        // the model's members other than vocab and merges
  std::vector<std::string> vocab;    // token string by id; "" for ids the vocabulary skips
  std::vector<uint8_t> in_vocab;     // (vocab.size()) 1 where the vocabulary has the id
  std::unordered_map<std::string, int32_t> ids;  // token string -> id
  std::vector<std::pair<int32_t, int32_t>> merges;  // vocabulary ids, in list order
  std::vector<HfAddedToken> added;
};

// Throws Error(Format) "tokenizer.json: ..." naming what is malformed.
HfTokenizerDoc read_hf_tokenizer_json(std::string_view text);

[[noreturn]] void fail_hf_tokenizer(const std::string& msg);

}  // namespace sllm
