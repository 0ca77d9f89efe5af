// sllm_generate.cpp: loads a saved model (SLLM file, any dtype) and samples text from it,
// streaming it to stdout as it is generated.
#include <cstdio>

#include "cli/args.h"
#include "cli/files.h"
#include "cli/option_flags.h"
#include "core/error.h"
#include "format/sllm_file.h"
#include "generate/generator.h"

using namespace sllm;

namespace {
// The tool's own defaults for sampling (the core's are temperature 1, 200 tokens, seed 0).
SampleOptions tool_defaults() {
  SampleOptions o;
  o.max_new_tokens = 300;
  o.temperature = 0.8f;
  o.seed = 42;
  return o;
}

std::string usage() {
  return std::string(R"(usage: sllm-generate --model FILE [options]

Samples text from a saved SLLM model or checkpoint (either architecture).

  --prompt TEXT        text to continue (default: a newline)
  --info               print the file's model, tokenizer and metadata summary first
)") + cli::flags_help(SampleOptions::options(), tool_defaults());
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> known = {"help", "info", "model", "prompt"}, switches = {"help", "info"};
  cli::add_flags(SampleOptions::options(), known, switches);
  cli::Args args(argc, argv, switches);
  if (args.has("help") || !args.has("model")) {
    std::fputs(usage().c_str(), args.has("help") ? stdout : stderr);
    return args.has("help") ? 0 : 2;
  }
  args.reject_unknown(known);
  try {
    // The file's matrices stay in its bytes and dtype (packed): q8_0 / q4_0 run the integer kernels.
    auto bytes = [&] {
      const std::string text = cli::read_file(args.str("model"));
      return std::make_shared<const std::vector<uint8_t>>(text.begin(), text.end());
    }();
    LoadOptions lo;
    lo.packed = true;
    LoadedFile f = load_file(bytes, lo);
    if (args.has("info")) {
      const ModelConfig& c = f.model->config();
      std::fprintf(stderr, "%s: %s, %d layers, dim %d, %d heads, context %d, vocab %d (%s), %zu parameters%s\n",
                   args.str("model").c_str(), c.arch.c_str(), c.layers, c.dim, c.heads, c.context_length,
                   c.vocab_size, f.tokenizer->type().c_str(), f.model->num_params(),
                   f.checkpoint ? (", checkpoint at step " + std::to_string(f.checkpoint->step)).c_str() : "");
      std::fprintf(stderr, "metadata: %s\n", f.metadata.dump().c_str());
    }
    SampleOptions so = tool_defaults();
    SampleOptions::options().read(cli::given_flags(SampleOptions::options(), args, so), so, ErrorCode::InvalidArgument);
    so.validate();
    const std::string prompt = args.str("prompt", "\n");
    std::fputs(prompt.c_str(), stdout);
    generate_text(*f.model, *f.tokenizer, prompt, so, [](const std::string& piece) {
      std::fputs(piece.c_str(), stdout);
      std::fflush(stdout);
      return true;
    });
    std::fputc('\n', stdout);
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "error (%s): %s\n", error_code_name(e.code()), e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "error: out of memory\n");
    return 1;
  }
}
