// sllm_convert.cpp: converts models between SLLM files, GGUF files (for llama.cpp, Ollama,
// LM Studio, wllama) and Hugging Face model folders, optionally changing the weights' dtype.
// Each side's kind comes from the path: a directory (or, for the output, a path ending in "/"
// or without a .sllm/.gguf extension) is a Hugging Face folder; otherwise the extension (and,
// for a file read, its first bytes). Loading and saving are one function per kind below.
#include <cstdio>

#include "cli/args.h"
#include "cli/files.h"
#include "cli/folder.h"
#include "core/error.h"
#include "format/ggml_types.h"
#include "format/gguf_model.h"
#include "format/gguf_reader.h"
#include "format/hf_model.h"
#include "format/sllm_file.h"
#include "model/model.h"

using namespace sllm;

namespace {
const char* kUsage = R"(usage: sllm-convert IN OUT [options]

Converts a model between an SLLM file (.sllm), a GGUF file (.gguf, for llama.cpp, Ollama,
LM Studio and wllama) and a Hugging Face model folder (a directory with config.json,
model.safetensors or its shards with model.safetensors.index.json, tokenizer.json,
tokenizer_config.json), in any direction. GGUF input may be of architecture gpt2 or llama with
tensors in f32, f16, bf16, q8_0 or q4_0 (requantize others with llama.cpp's llama-quantize ...
Q8_0); a folder may hold GPT2LMHeadModel or LlamaForCausalLM weights in F32, F16 or BF16, and the
folder written loads in Python with transformers' from_pretrained. A checkpoint converts to its
model (the training state stays behind).

  --dtype D          weights of the output: f32, f16, q8_0 or q4_0 for .sllm and .gguf (default:
                     the input's); f32, f16 or bf16 for a folder (default f32)
  --max-context N    cap the context length of a model read from a folder (e.g. 4096 for a
                     128k-context model, to bound generation memory)
  --name TEXT        the model's name (general.name in GGUF)
  --description TEXT the model's description
)";

enum class Kind { Sllm, Folder, Gguf };
const char* name_of(Kind k) { return k == Kind::Sllm ? "sllm" : k == Kind::Gguf ? "gguf" : "folder"; }

bool ends_with(const std::string& s, const char* suffix) {
  const std::string x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

Kind kind_of(const std::string& path, bool output) {
  if (cli::is_directory(path) || ends_with(path, "/")) return Kind::Folder;
  if (ends_with(path, ".sllm")) return Kind::Sllm;
  if (ends_with(path, ".gguf")) return Kind::Gguf;
  if (output) return Kind::Folder;
  cli::Args::die(path + " is neither a folder nor a .sllm or .gguf file");
}

// The dtype of a file's matrices (its first feed-forward weight), f32 when it has none sllm
// writes (bf16).
DType file_dtype(const uint8_t* data, size_t size) {
  DType d = DType::F32;
  if (is_gguf(data, size)) {
    GgufFile f = GgufFile::parse(data, size);
    if (const GgufTensorInfo* t = f.find_tensor("blk.0.ffn_up.weight")) dtype_of_ggml(t->type, d);
    return d;
  }
  Json h = Json::parse(header_text(data, size));
  for (const Json& t : h.get("tensors", Json::Type::Array).items())
    if (t.get_string("name") == "blk.0.ffn_up.weight") dtype_from_name(t.get_string("dtype"), d);
  return d;
}

// The model, and the dtype its weights had (f32 for a folder).
LoadedFile load(const std::string& path, Kind kind, const cli::Args& args, DType& dtype) {
  dtype = DType::F32;
  if (kind == Kind::Folder) {
    HfImportOptions o;
    o.max_context = int(args.integer("max-context", 0));
    return import_hf(cli::read_folder(path), o);
  }
  const std::string bytes = cli::read_file(path);  // SLLM or GGUF, told apart by the first bytes
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  dtype = file_dtype(data, bytes.size());
  return load_any(data, bytes.size());
}

// Writes the model; returns the bytes written.
size_t save(const std::string& path, Kind kind, const LoadedFile& f, const cli::Args& args, DType input_dtype) {
  Json meta = f.metadata.is_object() ? f.metadata : Json::object();
  if (args.has("name")) meta.set("name", args.str("name"));
  if (args.has("description")) meta.set("description", args.str("description"));
  if (kind == Kind::Folder) {
    const std::string dtype = args.str("dtype", "f32");
    HfExportOptions o;
    o.metadata = meta;
    if (dtype == "f16") o.dtype = StType::F16;
    else if (dtype == "bf16") o.dtype = StType::BF16;
    else if (dtype != "f32") cli::Args::die("--dtype for a folder must be f32, f16 or bf16, got \"" + dtype + "\"");
    auto files = export_hf(*f.model, *f.tokenizer, o);
    cli::write_folder(path, files);
    size_t n = 0;
    for (const auto& file : files) n += file.second.size();
    return n;
  }
  SaveOptions o;
  o.metadata = meta;
  o.weights = input_dtype;
  if (args.has("dtype") && !dtype_from_name(args.str("dtype"), o.weights))
    cli::Args::die("--dtype for .sllm and .gguf must be f32, f16, q8_0 or q4_0, got \"" + args.str("dtype") + "\"");
  const std::vector<uint8_t> bytes =
      kind == Kind::Gguf ? save_gguf(*f.model, *f.tokenizer, o) : save_model(*f.model, *f.tokenizer, o);
  cli::write_file(path, bytes);
  return bytes.size();
}

}  // namespace

int main(int argc, char** argv) {
  cli::Args args(argc, argv, {"help"});
  if (args.has("help") || args.positional().size() != 2) {
    std::fputs(kUsage, args.has("help") ? stdout : stderr);
    return args.has("help") ? 0 : 2;
  }
  args.reject_unknown({"help", "dtype", "max-context", "name", "description"});
  const std::string in = args.positional()[0], out = args.positional()[1];
  const Kind from = kind_of(in, false), to = kind_of(out, true);
  try {
    DType input_dtype;
    LoadedFile f = load(in, from, args, input_dtype);
    const size_t bytes = save(out, to, f, args, input_dtype);
    const ModelConfig& c = f.model->config();
    std::printf("%s (%s) -> %s (%s, %.2f MB): %s, %d layers, dim %d, %s tokenizer, %zu parameters\n", in.c_str(),
                name_of(from), out.c_str(), name_of(to), double(bytes) / 1e6, c.arch.c_str(), c.layers, c.dim,
                f.tokenizer->type().c_str(), f.model->num_params());
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "sllm-convert: %s\n", e.what());
    return 1;
  }
}
