// gguf_arch.cpp: sllm architectures <-> llama.cpp's (see gguf_arch.h). The keys are the ones
// llama.cpp's loader reads for each architecture (llama-model.cpp, llama-arch.cpp).
#include "format/gguf_arch.h"

#include <cmath>

#include "core/error.h"

namespace sllm {

namespace {

[[noreturn]] void bad(const std::string& msg) { fail(ErrorCode::Format, "invalid GGUF file: " + msg); }

const char* const kSuggest =
    "; this build reads the architectures gpt2 and llama. (A model of another architecture cannot be "
    "converted; a model in another tensor type can: llama-quantize --allow-requantize IN.gguf OUT.gguf Q8_0)";

// "blk.N.attn_q.weight" -> "blk.N.attn_", "weight"; false for other names.
bool split_q(const std::string& name, std::string& prefix, std::string& suffix) {
  const size_t at = name.find("attn_q.");
  if (name.compare(0, 4, "blk.") != 0 || at == std::string::npos) return false;
  prefix = name.substr(0, at + 5);
  suffix = name.substr(at + 7);
  return true;
}

}  // namespace

std::string gguf_arch_name(const std::string& arch) {
  if (arch == "gpt") return "gpt2";
  if (arch == "llama") return "llama";
  fail(ErrorCode::InvalidArgument, "the architecture \"" + arch + "\" has no GGUF form");
}

std::vector<GgufTensorPlan> gguf_tensor_plan(const std::vector<ParamTensor>& tensors, const ModelConfig& cfg) {
  std::vector<GgufTensorPlan> plan;
  const bool fused = cfg.arch == "gpt";  // llama.cpp's gpt2 reads q, k and v as one attn_qkv
  auto find = [&](const std::string& name) -> const ParamTensor* {
    for (const ParamTensor& t : tensors)
      if (t.name == name) return &t;
    fail(ErrorCode::Internal, "the model has no tensor " + name);
  };
  for (const ParamTensor& t : tensors) {
    std::string prefix, suffix;
    if (fused && split_q(t.name, prefix, suffix)) {
      GgufTensorPlan p{prefix + "qkv." + suffix, t.shape, {&t, find(prefix + "k." + suffix), find(prefix + "v." + suffix)}};
      p.shape[0] = 0;
      for (const ParamTensor* part : p.parts) p.shape[0] += part->shape[0];
      plan.push_back(std::move(p));
    } else if (!(fused && (t.name.find(".attn_k.") != std::string::npos || t.name.find(".attn_v.") != std::string::npos))) {
      plan.push_back({t.name, t.shape, {&t}});
    }
  }
  return plan;
}

void write_gguf_hparams(GgufWriter& w, const ModelConfig& cfg) {
  const std::string a = gguf_arch_name(cfg.arch);
  w.add_string("general.architecture", a);
  w.add_u32(a + ".vocab_size", uint32_t(cfg.vocab_size));
  w.add_u32(a + ".context_length", uint32_t(cfg.context_length));
  w.add_u32(a + ".embedding_length", uint32_t(cfg.dim));
  w.add_u32(a + ".block_count", uint32_t(cfg.layers));
  w.add_u32(a + ".feed_forward_length", uint32_t(cfg.ffn_dim));
  w.add_u32(a + ".attention.head_count", uint32_t(cfg.heads));
  w.add_u32(a + ".attention.head_count_kv", uint32_t(cfg.kv_heads));
  if (cfg.arch == "gpt") {
    w.add_f32(a + ".attention.layer_norm_epsilon", cfg.norm_eps);
  } else {
    w.add_f32(a + ".attention.layer_norm_rms_epsilon", cfg.norm_eps);
    w.add_f32(a + ".rope.freq_base", cfg.rope_theta);
    w.add_u32(a + ".rope.dimension_count", uint32_t(cfg.head_dim()));
  }
}

ModelConfig read_gguf_hparams(const GgufFile& f, int vocab_size) {
  const std::string arch(f.string("general.architecture"));
  ModelConfig c;
  if (arch == "gpt2")
    c.arch = "gpt";
  else if (arch == "llama")
    c.arch = "llama";
  else
    bad("the architecture is \"" + arch + "\"" + kSuggest);
  auto count = [&](const std::string& key, uint64_t hi) {
    const uint64_t v = f.uint(arch + "." + key);
    if (v < 1 || v > hi) bad("\"" + arch + "." + key + "\" is " + std::to_string(v) + "; it must be from 1 to " + std::to_string(hi));
    return int(v);
  };
  c.vocab_size = vocab_size;
  c.context_length = count("context_length", 1 << 16);
  c.dim = count("embedding_length", 1 << 16);
  c.layers = count("block_count", 1024);
  c.ffn_dim = count("feed_forward_length", 1 << 18);
  c.heads = count("attention.head_count", 1 << 16);
  c.kv_heads = f.find(arch + ".attention.head_count_kv") ? count("attention.head_count_kv", 1 << 16) : c.heads;
  if (f.find(arch + ".vocab_size") && f.uint(arch + ".vocab_size") != uint64_t(vocab_size))
    bad("\"" + arch + ".vocab_size\" does not match the " + std::to_string(vocab_size) + " tokens of the vocabulary");
  const std::string eps_key = arch + (c.arch == "gpt" ? ".attention.layer_norm_epsilon" : ".attention.layer_norm_rms_epsilon");
  const double eps = f.number(eps_key);
  if (!(eps > 0) || !std::isfinite(float(eps))) bad("\"" + eps_key + "\" must be a positive number");
  c.norm_eps = float(eps);
  c.tie_embeddings = f.find_tensor("output.weight") == nullptr;
  if (c.arch == "llama") {
    const std::string base = arch + ".rope.freq_base";
    if (f.find(base)) {
      const double theta = f.number(base);
      if (!(theta > 0) || !std::isfinite(float(theta))) bad("\"" + base + "\" must be a positive number");
      c.rope_theta = float(theta);
    }
    // The rotation covers each whole head, without scaling: other variants compute otherwise.
    const std::string dims = arch + ".rope.dimension_count";
    if (f.find(dims) && c.heads > 0 && f.uint(dims) != uint64_t(c.dim / c.heads))
      bad("\"" + dims + "\" is " + std::to_string(f.uint(dims)) + "; this build rotates whole heads of " +
          std::to_string(c.dim / c.heads));
    for (const char* key : {".rope.scaling.type", ".rope.scaling.factor"})
      if (const GgufKV* k = f.find(arch + key)) {
        const bool none = k->type == GgufType::String ? f.string(k->key) == "none"
                                                      : k->type != GgufType::Array && f.number(k->key) == 1.0;
        if (!none) bad("\"" + arch + key + "\" asks for RoPE scaling, which this build does not implement");
      }
    if (f.find_tensor("rope_freqs.weight")) bad("tensor \"rope_freqs.weight\" (Llama 3.1's RoPE frequencies) is not supported");
  }
  try {
    c.validate();
  } catch (const Error& e) {
    bad(std::string("its hyper-parameters: ") + e.what());
  }
  return c;
}

}  // namespace sllm
