// hf_export.cpp: an sllm model and tokenizer as a Hugging Face model folder (hf_model.h).
#include "core/error.h"
#include "format/hf_arch.h"
#include "format/hf_model.h"
#include "model/model.h"
#include "tokenizer/hf_tokenizer.h"

namespace sllm {

namespace {
std::vector<uint8_t> bytes_of(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }
const char* torch_dtype(StType t) {
  return t == StType::F16 ? "float16" : t == StType::BF16 ? "bfloat16" : "float32";
}
}  // namespace

std::vector<std::pair<std::string, std::vector<uint8_t>>> export_hf(const Model& model, const Tokenizer& tok,
                                                                    const HfExportOptions& opts) {
  const ModelConfig& c = model.config();
  if (opts.dtype != StType::F32 && opts.dtype != StType::F16 && opts.dtype != StType::BF16)
    fail(ErrorCode::InvalidArgument, std::string("cannot export dtype ") + st_type_name(opts.dtype) + "; use F32, F16 or BF16");
  if (tok.vocab_size() != c.vocab_size)
    fail(ErrorCode::InvalidArgument, "the tokenizer has " + std::to_string(tok.vocab_size()) + " tokens, the model " +
                                         std::to_string(c.vocab_size));
  std::vector<std::pair<std::string, std::vector<uint8_t>>> files;
  HfTokenizerFiles t = tokenizer_to_hf(tok, c.context_length);  // first: it refuses what has no form
  const std::vector<HfLink> links = hf_links(c, model.tensors(), "transformer.");

  // One safetensors tensor per Hugging Face name, made from its sllm tensors when written.
  std::vector<StOut> out;
  std::vector<std::vector<const HfLink*>> groups;
  for (const HfLink& l : links) {
    size_t i = 0;
    while (i < out.size() && out[i].name != l.hf_name) ++i;
    if (i == out.size()) {
      out.push_back({l.hf_name, opts.dtype, l.hf_shape, nullptr, {}});
      groups.emplace_back();
    }
    groups[i].push_back(&l);
  }
  std::vector<float> unpacked;  // a packed model's weights in f32, while they are written
  const float* params = model.f32_slab(unpacked);
  for (size_t i = 0; i < out.size(); ++i) {
    const auto& g = groups[i];
    if (g.size() == 1 && g[0]->xf == HfXf::Copy) {
      out[i].data = params + g[0]->tensor->offset;
      continue;
    }
    out[i].fill = [params, g](float* hf) {
      for (const HfLink* l : g) hf_copy_out(*l, params + l->tensor->offset, hf);
    };
  }
  std::vector<std::pair<std::string, std::string>> meta = {{"format", "pt"}};
  if (opts.metadata.is_object())
    for (const auto& [k, v] : opts.metadata.members())
      if (v.is_string() && k != "format") meta.emplace_back(k, v.as_string());
  files.emplace_back("model.safetensors", write_safetensors(out, meta));

  const SpecialTokens& s = tok.special();
  files.emplace_back("config.json", bytes_of(write_hf_config(c, torch_dtype(opts.dtype), s.bos, s.eos).dump()));
  Json gen = Json::object();
  gen.set("_from_model_config", true);
  if (s.bos >= 0) gen.set("bos_token_id", s.bos);
  if (s.eos >= 0) gen.set("eos_token_id", s.eos);
  files.emplace_back("generation_config.json", bytes_of(gen.dump()));
  files.emplace_back("tokenizer.json", bytes_of(t.tokenizer_json));
  files.emplace_back("tokenizer_config.json", bytes_of(t.tokenizer_config_json));
  return files;
}

}  // namespace sllm
