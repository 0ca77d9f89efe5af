// sllm_convert.cpp: converts model files between SLLM and GGUF (the format of each side by its
// extension, the input's also by its first bytes), optionally changing the weights' dtype.
#include <cstdio>

#include "cli/args.h"
#include "cli/files.h"
#include "core/error.h"
#include "format/ggml_types.h"
#include "format/gguf_model.h"
#include "format/gguf_reader.h"

using namespace sllm;

namespace {
const char* kUsage = R"(usage: sllm-convert IN OUT [options]

Converts a model between SLLM (.sllm) and GGUF (.gguf, for llama.cpp, Ollama, LM Studio and
wllama). The output format follows OUT's extension. GGUF input may be of architecture gpt2 or
llama with tensors in f32, f16, bf16, q8_0 or q4_0 (requantize others with llama.cpp's
llama-quantize ... Q8_0). A checkpoint converts to its model (the training state stays behind).

  --dtype D          weights of the output: f32, f16, q8_0 or q4_0 (default: the input's)
  --name TEXT        the model's name (general.name in GGUF)
  --description TEXT the model's description
)";

bool ends_with(const std::string& s, const char* suffix) {
  const std::string x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

// The dtype of the input's matrices (its first feed-forward weight), f32 when it has no dtype
// sllm writes (bf16).
DType input_dtype(const uint8_t* data, size_t size) {
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

std::string megabytes(size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f MB", double(n) / 1e6);
  return buf;
}
}  // namespace

int main(int argc, char** argv) {
  cli::Args args(argc, argv, {"help"});
  if (args.has("help") || args.positional().size() != 2) {
    std::fputs(kUsage, args.has("help") ? stdout : stderr);
    return args.has("help") ? 0 : 2;
  }
  args.reject_unknown({"help", "dtype", "name", "description"});
  const std::string in = args.positional()[0], out = args.positional()[1];
  const bool to_gguf = ends_with(out, ".gguf");
  if (!to_gguf && !ends_with(out, ".sllm")) cli::Args::die("OUT must end in .sllm or .gguf");
  try {
    const std::string bytes = cli::read_file(in);
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
    LoadedFile f = load_any(data, bytes.size());
    SaveOptions o;
    o.weights = input_dtype(data, bytes.size());
    if (args.has("dtype") && !dtype_from_name(args.str("dtype"), o.weights))
      cli::Args::die("--dtype must be f32, f16, q8_0 or q4_0, got \"" + args.str("dtype") + "\"");
    o.metadata = f.metadata;
    if (args.has("name")) o.metadata.set("name", args.str("name"));
    if (args.has("description")) o.metadata.set("description", args.str("description"));
    const std::vector<uint8_t> result = to_gguf ? save_gguf(*f.model, *f.tokenizer, o) : save_model(*f.model, *f.tokenizer, o);
    cli::write_file(out, result);
    const ModelConfig& c = f.model->config();
    std::printf("%s (%s, %s) -> %s (%s, %s, %s): %s, %d layers, dim %d, %s tokenizer, %zu parameters\n", in.c_str(),
                is_gguf(data, bytes.size()) ? "gguf" : "sllm", megabytes(bytes.size()).c_str(), out.c_str(),
                to_gguf ? "gguf" : "sllm", dtype_name(o.weights), megabytes(result.size()).c_str(), c.arch.c_str(),
                c.layers, c.dim, f.tokenizer->type().c_str(), f.model->num_params());
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "sllm-convert: %s\n", e.what());
    return 1;
  }
}
