// hf_arch.cpp: config.json and tensor names/transforms between sllm and transformers'
// GPT2LMHeadModel and LlamaForCausalLM (see hf_arch.h).
#include "format/hf_arch.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/json_reader.h"

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

// sllm tensor name (after "blk.N.") -> hf name suffix and transform.
struct Map {
  const char* sllm;
  const char* hf;
  HfXf xf;
  int part;
};
constexpr Map kGpt2Block[] = {
    {"attn_norm.weight", "ln_1.weight", HfXf::Copy, 0},      {"attn_norm.bias", "ln_1.bias", HfXf::Copy, 0},
    {"attn_q.weight", "attn.c_attn.weight", HfXf::QkvWeight, 0}, {"attn_k.weight", "attn.c_attn.weight", HfXf::QkvWeight, 1},
    {"attn_v.weight", "attn.c_attn.weight", HfXf::QkvWeight, 2}, {"attn_q.bias", "attn.c_attn.bias", HfXf::QkvBias, 0},
    {"attn_k.bias", "attn.c_attn.bias", HfXf::QkvBias, 1},   {"attn_v.bias", "attn.c_attn.bias", HfXf::QkvBias, 2},
    {"attn_output.weight", "attn.c_proj.weight", HfXf::Transpose, 0}, {"attn_output.bias", "attn.c_proj.bias", HfXf::Copy, 0},
    {"ffn_norm.weight", "ln_2.weight", HfXf::Copy, 0},       {"ffn_norm.bias", "ln_2.bias", HfXf::Copy, 0},
    {"ffn_up.weight", "mlp.c_fc.weight", HfXf::Transpose, 0}, {"ffn_up.bias", "mlp.c_fc.bias", HfXf::Copy, 0},
    {"ffn_down.weight", "mlp.c_proj.weight", HfXf::Transpose, 0}, {"ffn_down.bias", "mlp.c_proj.bias", HfXf::Copy, 0},
};
constexpr Map kGpt2Model[] = {
    {"token_embd.weight", "wte.weight", HfXf::Copy, 0}, {"position_embd.weight", "wpe.weight", HfXf::Copy, 0},
    {"output_norm.weight", "ln_f.weight", HfXf::Copy, 0}, {"output_norm.bias", "ln_f.bias", HfXf::Copy, 0},
};
constexpr Map kLlamaBlock[] = {
    {"attn_norm.weight", "input_layernorm.weight", HfXf::Copy, 0},
    {"attn_q.weight", "self_attn.q_proj.weight", HfXf::RopeRows, 0},  // part 0: all heads
    {"attn_k.weight", "self_attn.k_proj.weight", HfXf::RopeRows, 1},  // part 1: the kv heads
    {"attn_v.weight", "self_attn.v_proj.weight", HfXf::Copy, 0},
    {"attn_output.weight", "self_attn.o_proj.weight", HfXf::Copy, 0},
    {"ffn_norm.weight", "post_attention_layernorm.weight", HfXf::Copy, 0},
    {"ffn_gate.weight", "mlp.gate_proj.weight", HfXf::Copy, 0},
    {"ffn_up.weight", "mlp.up_proj.weight", HfXf::Copy, 0},
    {"ffn_down.weight", "mlp.down_proj.weight", HfXf::Copy, 0},
};
constexpr Map kLlamaModel[] = {
    {"token_embd.weight", "model.embed_tokens.weight", HfXf::Copy, 0},
    {"output_norm.weight", "model.norm.weight", HfXf::Copy, 0},
};

template <size_t N>
const Map* find_map(const Map (&table)[N], const std::string& name) {
  for (const Map& m : table)
    if (name == m.sllm) return &m;
  return nullptr;
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

std::vector<HfLink> hf_links(const ModelConfig& c, const std::vector<ParamTensor>& layout, const std::string& prefix) {
  const bool gpt = c.arch == "gpt";
  std::vector<HfLink> out;
  for (const ParamTensor& t : layout) {
    HfLink l;
    l.tensor = &t;
    const Map* m = nullptr;
    std::string hf;
    if (t.name.compare(0, 4, "blk.") == 0) {
      const size_t dot = t.name.find('.', 4);
      const std::string n = t.name.substr(4, dot - 4), rest = t.name.substr(dot + 1);
      m = gpt ? find_map(kGpt2Block, rest) : find_map(kLlamaBlock, rest);
      if (m) hf = gpt ? prefix + "h." + n + "." + m->hf : "model.layers." + n + "." + m->hf;
    } else if (t.name == "output.weight") {
      static constexpr Map head = {"output.weight", "lm_head.weight", HfXf::Copy, 0};
      m = &head;
      hf = m->hf;
    } else {
      m = gpt ? find_map(kGpt2Model, t.name) : find_map(kLlamaModel, t.name);
      if (m) hf = (gpt ? prefix : "") + m->hf;
    }
    if (!m) fail(ErrorCode::Internal, "no Hugging Face name for tensor " + t.name);
    l.hf_name = hf;
    l.xf = m->xf;
    l.part = m->part;
    switch (m->xf) {
      case HfXf::Copy: l.hf_shape = t.shape; break;
      case HfXf::Transpose: l.hf_shape = {t.shape[1], t.shape[0]}; break;
      case HfXf::QkvWeight: l.hf_shape = {t.shape[1], 3 * t.shape[0]}; break;
      case HfXf::QkvBias: l.hf_shape = {3 * t.shape[0]}; break;
      case HfXf::RopeRows:
        l.hf_shape = t.shape;
        l.heads = m->part == 0 ? c.heads : c.kv_heads;
        break;
    }
    out.push_back(std::move(l));
  }
  return out;
}

bool hf_ignorable(const std::string& name) {
  auto ends = [&](const char* s) { size_t n = std::strlen(s); return name.size() >= n && name.compare(name.size() - n, n, s) == 0; };
  return ends(".attn.bias") || ends(".attn.masked_bias") || ends(".rotary_emb.inv_freq");
}

HfRowSource hf_row_source(const HfLink& l, int64_t row) {
  const ParamTensor& t = *l.tensor;
  const uint64_t rows = uint64_t(t.shape[0]), cols = t.shape.size() > 1 ? uint64_t(t.shape[1]) : 1;
  const uint64_t r = uint64_t(row);
  switch (l.xf) {
    case HfXf::Copy: return {r * cols, 1};
    case HfXf::Transpose: return {r, rows};
    case HfXf::QkvWeight: return {uint64_t(l.part) * rows + r, 3 * rows};
    case HfXf::QkvBias: return {uint64_t(l.part) * rows + r, 1};
    case HfXf::RopeRows: {
      // sllm row h*hd + 2i + j holds Hugging Face row h*hd + j*hd/2 + i (LlamaModel.permute).
      const uint64_t hd = rows / uint64_t(l.heads), h = r / hd, i = (r % hd) / 2, j = r % 2;
      return {(h * hd + j * (hd / 2) + i) * cols, 1};
    }
  }
  return {0, 1};
}

namespace {
// Copies between each sllm row and its hf elements (hf_row_source), in 32 x 32 blocks so that a
// transpose reads and writes within cache lines; to_sllm picks the direction.
void hf_copy(const HfLink& l, float* hf, float* sllm_values, bool to_sllm) {
  const ParamTensor& t = *l.tensor;
  const int64_t rows = t.shape[0], cols = t.shape.size() > 1 ? t.shape[1] : 1;
  constexpr int64_t kBlock = 32;
  HfRowSource src[kBlock];
  for (int64_t r0 = 0; r0 < rows; r0 += kBlock) {
    const int64_t r1 = std::min(rows, r0 + kBlock);
    for (int64_t r = r0; r < r1; ++r) src[r - r0] = hf_row_source(l, r);
    for (int64_t c0 = 0; c0 < cols; c0 += kBlock) {
      const int64_t c1 = std::min(cols, c0 + kBlock);
      for (int64_t r = r0; r < r1; ++r) {
        const HfRowSource s = src[r - r0];
        float* row = sllm_values + r * cols;
        for (int64_t c = c0; c < c1; ++c) {
          float& h = hf[s.start + uint64_t(c) * s.stride];
          if (to_sllm) row[c] = h;
          else h = row[c];
        }
      }
    }
  }
}
}  // namespace

void hf_copy_in(const HfLink& l, const float* hf, float* dst) { hf_copy(l, const_cast<float*>(hf), dst, true); }

void hf_copy_out(const HfLink& l, const float* src, float* hf) { hf_copy(l, hf, const_cast<float*>(src), false); }

}  // namespace sllm
