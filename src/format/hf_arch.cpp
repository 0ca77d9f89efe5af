// hf_arch.cpp: the tensor names and transforms between sllm and transformers'
// GPT2LMHeadModel and LlamaForCausalLM (see hf_arch.h); config.json is hf_config.cpp's.
#include "format/hf_arch.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/json_reader.h"

namespace sllm {

namespace {

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
