// hf_config.cpp: config.json <-> ModelConfig for transformers' GPT2LMHeadModel and
// LlamaForCausalLM (see hf_arch.h): everything read is checked, and what sllm cannot reproduce
// exactly is refused by name.
#include <cmath>

#include "core/error.h"
#include "core/json_reader.h"
#include "format/hf_arch.h"

namespace sllm {

namespace {

[[noreturn]] void bad(const std::string& m) { fail(ErrorCode::Format, "config.json: " + m); }

const Json* member(const Json& j, const char* key) {
  const Json* v = j.find(key);
  return v && !v->is_null() ? v : nullptr;
}
int64_t get_int(const Json& j, const char* key, int64_t fallback = INT64_MIN, int64_t lo = 1, int64_t hi = int64_t(1) << 31) {
  const Json* v = member(j, key);
  if (!v) {
    if (fallback == INT64_MIN) bad("\"" + std::string(key) + "\" is missing");
    return fallback;
  }
  double d = v->is_number() ? v->as_number() : NAN;
  if (!(d >= double(lo) && d <= double(hi)) || d != std::floor(d))
    bad("\"" + std::string(key) + "\" must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return int64_t(d);
}
double get_num(const Json& j, const char* key, double fallback) {
  const Json* v = member(j, key);
  if (!v) return fallback;
  if (!v->is_number() || !std::isfinite(v->as_number()) || v->as_number() <= 0)
    bad("\"" + std::string(key) + "\" must be a positive number");
  return v->as_number();
}
bool get_bool(const Json& j, const char* key, bool fallback) {
  const Json* v = member(j, key);
  if (!v) return fallback;
  if (!v->is_bool()) bad("\"" + std::string(key) + "\" must be true or false");
  return v->as_bool();
}
std::string get_str(const Json& j, const char* key, const char* fallback) {
  const Json* v = member(j, key);
  if (!v) return fallback;
  if (!v->is_string()) bad("\"" + std::string(key) + "\" must be a string");
  return v->as_string();
}
void require(bool ok, const std::string& what) {
  if (!ok) bad(what + "; sllm cannot reproduce that model exactly");
}
int64_t token_id(const Json& j, const char* key) {
  const Json* v = member(j, key);
  if (v && v->is_array()) v = v->size() ? &v->items()[0] : nullptr;  // e.g. Llama 3 Instruct's [128001, 128009]
  if (!v) return -1;
  double d = v->is_number() ? v->as_number() : -1;
  if (!(d >= 0) || d != std::floor(d) || d >= double(1 << 24)) bad("\"" + std::string(key) + "\" must be a token id");
  return int64_t(d);
}

void read_gpt2(const Json& j, ModelConfig& c) {
  c.arch = "gpt";
  c.vocab_size = int(get_int(j, "vocab_size"));
  c.dim = int(get_int(j, "n_embd"));
  c.layers = int(get_int(j, "n_layer"));
  c.heads = c.kv_heads = int(get_int(j, "n_head"));
  c.context_length = int(get_int(j, "n_positions", get_int(j, "n_ctx", INT64_MIN)));
  c.ffn_dim = int(get_int(j, "n_inner", 4 * int64_t(c.dim)));
  c.norm_eps = float(get_num(j, "layer_norm_epsilon", 1e-5));
  c.tie_embeddings = get_bool(j, "tie_word_embeddings", true);
  const std::string act = get_str(j, "activation_function", "gelu_new");
  require(act == "gelu_new" || act == "gelu_pytorch_tanh",
          "activation_function \"" + act + "\" is not the tanh GELU (gelu_new) sllm's gpt uses");
  require(get_bool(j, "scale_attn_weights", true), "scale_attn_weights false leaves attention unscaled");
  require(!get_bool(j, "scale_attn_by_inverse_layer_idx", false), "scale_attn_by_inverse_layer_idx scales attention per layer");
  require(!get_bool(j, "add_cross_attention", false), "add_cross_attention adds cross-attention layers");
}

void read_llama(const Json& j, ModelConfig& c) {
  c.arch = "llama";
  c.vocab_size = int(get_int(j, "vocab_size"));
  c.dim = int(get_int(j, "hidden_size"));
  c.ffn_dim = int(get_int(j, "intermediate_size"));
  c.layers = int(get_int(j, "num_hidden_layers"));
  c.heads = int(get_int(j, "num_attention_heads"));
  c.kv_heads = int(get_int(j, "num_key_value_heads", c.heads));
  c.context_length = int(get_int(j, "max_position_embeddings"));
  c.norm_eps = float(get_num(j, "rms_norm_eps", 1e-6));
  c.rope_theta = float(get_num(j, "rope_theta", 10000.0));
  c.tie_embeddings = get_bool(j, "tie_word_embeddings", false);
  const std::string act = get_str(j, "hidden_act", "silu");
  require(act == "silu", "hidden_act \"" + act + "\" is not the SiLU of sllm's SwiGLU");
  require(!get_bool(j, "attention_bias", false), "attention_bias true adds biases sllm's llama does not have");
  require(!get_bool(j, "mlp_bias", false), "mlp_bias true adds biases sllm's llama does not have");
  if (const Json* rs = member(j, "rope_scaling")) {
    std::string kind = "an unknown kind";
    if (rs->is_object())
      for (const char* k : {"rope_type", "type"})
        if (const Json* t = rs->find(k); t && t->is_string()) kind = "\"" + t->as_string() + "\"";
    if (!(kind == "\"default\"")) bad("rope_scaling " + kind + " is not supported: sllm applies plain RoPE with rope_theta");
  }
  if (const Json* hd = member(j, "head_dim"))
    require(hd->is_number() && int64_t(hd->as_number()) * c.heads == c.dim,
            "head_dim " + hd->dump() + " is not hidden_size / num_attention_heads");
}

}  // namespace

HfModelInfo read_hf_config(const std::string& text) {
  Json j;
  try {
    j = JsonReader::parse_bounded(text);
  } catch (const Error& e) {
    bad(std::string("not valid UTF-8 JSON (") + e.what() + ")");
  }
  if (!j.is_object()) bad("not a JSON object");
  HfModelInfo info;
  if (const Json* a = member(j, "architectures")) {
    if (!a->is_array() || a->size() == 0 || !a->items()[0].is_string()) bad("\"architectures\" must be a list of class names");
    info.architecture = a->items()[0].as_string();
  } else {
    const std::string t = get_str(j, "model_type", "");
    info.architecture = t == "gpt2" ? "GPT2LMHeadModel" : t == "llama" ? "LlamaForCausalLM" : t;
  }
  if (info.architecture == "GPT2LMHeadModel" || info.architecture == "GPT2Model") read_gpt2(j, info.config);
  else if (info.architecture == "LlamaForCausalLM") read_llama(j, info.config);
  else
    bad("the architecture \"" + info.architecture + "\" is not supported; sllm imports GPT2LMHeadModel and LlamaForCausalLM "
        "(Llama, SmolLM, TinyLlama and other models of that class)");
  info.bos_token_id = token_id(j, "bos_token_id");
  info.eos_token_id = token_id(j, "eos_token_id");
  info.name = get_str(j, "_name_or_path", "");
  try {
    info.config.validate();
  } catch (const Error& e) {
    bad(std::string("the model it describes is not valid: ") + e.what());
  }
  return info;
}

Json write_hf_config(const ModelConfig& c, const std::string& torch_dtype, int64_t bos, int64_t eos) {
  Json j = Json::object();
  auto id = [](int64_t v) { return v >= 0 ? Json(v) : Json(nullptr); };
  if (c.arch == "gpt") {
    Json a = Json::array();
    a.push("GPT2LMHeadModel");
    j.set("architectures", std::move(a));
    j.set("model_type", "gpt2");
    j.set("vocab_size", c.vocab_size);
    j.set("n_positions", c.context_length);
    j.set("n_ctx", c.context_length);
    j.set("n_embd", c.dim);
    j.set("n_layer", c.layers);
    j.set("n_head", c.heads);
    j.set("n_inner", c.ffn_dim);
    j.set("activation_function", "gelu_new");
    j.set("layer_norm_epsilon", json_float(c.norm_eps));
    for (const char* k : {"resid_pdrop", "embd_pdrop", "attn_pdrop"}) j.set(k, 0.0);
    j.set("scale_attn_weights", true);
  } else if (c.arch == "llama") {
    Json a = Json::array();
    a.push("LlamaForCausalLM");
    j.set("architectures", std::move(a));
    j.set("model_type", "llama");
    j.set("vocab_size", c.vocab_size);
    j.set("hidden_size", c.dim);
    j.set("intermediate_size", c.ffn_dim);
    j.set("num_hidden_layers", c.layers);
    j.set("num_attention_heads", c.heads);
    j.set("num_key_value_heads", c.kv_heads);
    j.set("head_dim", c.head_dim());
    j.set("hidden_act", "silu");
    j.set("max_position_embeddings", c.context_length);
    j.set("rms_norm_eps", json_float(c.norm_eps));
    j.set("rope_theta", json_float(c.rope_theta));
    j.set("rope_scaling", nullptr);
    j.set("attention_bias", false);
    j.set("mlp_bias", false);
  } else {
    fail(ErrorCode::InvalidArgument, "arch \"" + c.arch + "\" has no Hugging Face form in sllm");
  }
  j.set("tie_word_embeddings", c.tie_embeddings);
  j.set("bos_token_id", id(bos));
  j.set("eos_token_id", id(eos));
  j.set("torch_dtype", torch_dtype);
  return j;
}

}  // namespace sllm
