// hf_import.cpp: a Hugging Face model folder to an sllm model and tokenizer (hf_model.h).
#include <algorithm>
#include <map>

#include "core/error.h"
#include "format/dtype.h"
#include "format/hf_arch.h"
#include "format/hf_model.h"
#include "format/safetensors_shards.h"
#include "model/architecture.h"
#include "model/model.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/hf_tokenizer.h"

namespace sllm {

namespace {

constexpr uint64_t kMaxJsonFile = 256u << 20;  // tokenizer.json of a 256k vocabulary is ~20 MB

std::string listing(const FileSet& files) {
  std::string out;
  for (size_t i = 0; i < files.size() && i < 12; ++i) out += (i ? ", " : "") + files[i].name;
  if (files.size() > 12) out += ", ...";
  return files.empty() ? "none" : out;
}

std::string text_of(const FileSet& files, const char* name, bool required) {
  const ByteSource* f = find_file(files, name);
  if (!f) {
    if (required) fail(ErrorCode::Format, std::string("no ") + name + " among the files (" + listing(files) + "); a Hugging Face model folder needs it");
    return "";
  }
  return f->read_all(name, kMaxJsonFile);
}

std::unique_ptr<Tokenizer> import_tokenizer(const FileSet& files, const HfModelInfo& info) {
  HfTokenizerConfig cfg;
  const std::string cfg_text = text_of(files, "tokenizer_config.json", false);
  if (!cfg_text.empty()) cfg = parse_tokenizer_config(cfg_text);
  const std::string jinja = text_of(files, "chat_template.jinja", false);
  if (!jinja.empty()) cfg.chat_template = jinja;
  std::unique_ptr<Tokenizer> tok = tokenizer_from_hf(text_of(files, "tokenizer.json", true), &cfg);
  const int32_t V = info.config.vocab_size;
  if (tok->vocab_size() > V)
    fail(ErrorCode::Format, "tokenizer.json has " + std::to_string(tok->vocab_size()) + " tokens but config.json's vocab_size is " +
                                std::to_string(V) + "; they belong to different models");
  if (auto* bpe = dynamic_cast<BpeTokenizer*>(tok.get())) {
    if (tok->vocab_size() < V) bpe->pad_vocab(V);  // embedding rows past the tokenizer's ids
    SpecialTokens s = tok->special();             // config.json's ids for what tokenizer_config.json left unnamed
    auto take = [&](int64_t id, int32_t& slot) {
      if (slot < 0 && id >= 0 && id < V && bpe->is_special(int32_t(id))) slot = int32_t(id);
    };
    take(info.eos_token_id, s.eos);
    take(info.bos_token_id, s.bos);
    bpe->set_special_tokens(s);
  } else if (tok->vocab_size() != V) {
    fail(ErrorCode::Format, "tokenizer.json has " + std::to_string(tok->vocab_size()) + " tokens but config.json's vocab_size is " +
                                std::to_string(V));
  }
  return tok;
}

using LinkGroups = std::map<std::string, std::vector<const HfLink*>>;  // by hf tensor name

LinkGroups group(const std::vector<HfLink>& links) {
  LinkGroups by_hf;
  for (const HfLink& l : links) by_hf[l.hf_name].push_back(&l);
  return by_hf;
}

bool is_positions(const HfLink& l) { return l.tensor->name == "position_embd.weight"; }

// Every tensor the model needs is in the checkpoint with the shape config.json implies (GPT-2's
// position embedding may have more rows, when the context is capped), and nothing else is,
// apart from what transformers recomputes or ties. Runs before the model is allocated, so a
// config.json cannot make the import allocate more than the checkpoint holds.
void check_links(const LinkGroups& by_hf, const StCheckpoint& ck, const HfModelInfo& info) {
  for (const auto& [name, group] : by_hf) {
    const StCheckpoint::Entry* e = ck.find(name);
    const HfLink& first = *group.front();
    if (!e)
      fail(ErrorCode::Format, "the checkpoint lacks \"" + name + "\", which " + info.architecture + " with this config.json needs");
    std::vector<int64_t> want = first.hf_shape;
    if (is_positions(first) && e->tensor->shape.size() == 2 && e->tensor->shape[0] >= want[0]) want[0] = e->tensor->shape[0];
    if (e->tensor->shape != want)
      fail(ErrorCode::Format, "tensor \"" + name + "\" in " + e->shard->name + " has shape " + shape_str(e->tensor->shape) +
                                  "; config.json implies " + shape_str(want));
  }
  std::string unknown;
  int n_unknown = 0;
  for (const std::string& n : ck.names()) {
    if (by_hf.count(n) || hf_ignorable(n) || (n == "lm_head.weight" && info.config.tie_embeddings)) continue;
    if (n_unknown++ < 3) unknown += (unknown.empty() ? "\"" : ", \"") + n + "\"";
  }
  if (n_unknown)
    fail(ErrorCode::Format, "the checkpoint has " + std::to_string(n_unknown) + " tensor(s) " + info.architecture +
                                " does not use (" + unknown + (n_unknown > 3 ? ", ..." : "") +
                                "); it is another model or config.json does not describe it");
}

// Reads every hf tensor once and converts it into the model: in place when no transform is
// needed, else through one scratch tensor.
void fill_model(Model& model, const LinkGroups& by_hf, const StCheckpoint& ck) {
  std::vector<float> scratch;
  std::vector<uint8_t> raw;
  for (const auto& [name, group] : by_hf) {
    const StCheckpoint::Entry* e = ck.find(name);
    const HfLink& first = *group.front();
    if (group.size() == 1 && first.xf == HfXf::Copy && !is_positions(first)) {
      StCheckpoint::read_f32(*e, model.params() + first.tensor->offset, raw);
      continue;
    }
    scratch.resize(size_t(e->tensor->numel()));
    StCheckpoint::read_f32(*e, scratch.data(), raw);
    for (const HfLink* l : group) hf_copy_in(*l, scratch.data(), model.params() + l->tensor->offset);
  }
}

}  // namespace

LoadedFile import_hf(const FileSet& files, const HfImportOptions& opts) {
  HfModelInfo info = read_hf_config(text_of(files, "config.json", true));
  if (opts.max_context > 0 && opts.max_context < info.config.context_length) info.config.context_length = opts.max_context;
  LoadedFile out;
  out.tokenizer = import_tokenizer(files, info);
  StCheckpoint ck = StCheckpoint::open(files);
  std::string prefix;
  if (info.config.arch == "gpt") {
    if (ck.find("transformer.wte.weight")) prefix = "transformer.";
    else if (!ck.find("wte.weight"))
      fail(ErrorCode::Format, "the checkpoint has neither transformer.wte.weight nor wte.weight: it is not a GPT-2 checkpoint");
  }
  std::vector<ParamTensor> layout = build_layout(info.config);
  {
    const std::vector<HfLink> links = hf_links(info.config, layout, prefix);
    check_links(group(links), ck, info);
  }
  out.model = Model::create(info.config, std::move(layout));
  const std::vector<HfLink> links = hf_links(info.config, out.model->tensors(), prefix);  // into the model's own layout
  fill_model(*out.model, group(links), ck);
  out.metadata = Json::object();
  out.metadata.set("source", "Hugging Face");
  out.metadata.set("architecture", info.architecture);
  if (!info.name.empty()) out.metadata.set("name", info.name);
  return out;
}

}  // namespace sllm
