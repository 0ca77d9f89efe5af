// sllm_generate.cpp: loads a saved model (SLLM file, any dtype) and samples text from it,
// streaming it to stdout as it is generated.
#include <cstdio>

#include "cli/args.h"
#include "cli/threads_flag.h"
#include "cli/files.h"
#include "core/error.h"
#include "format/sllm_file.h"
#include "generate/generator.h"

using namespace sllm;

namespace {
const char* kUsage = R"(usage: sllm-generate --model FILE [options]

Samples text from a saved SLLM model or checkpoint.

  --prompt TEXT      text to continue (default: a newline)
  --tokens N         how many tokens to generate (default 300)
  --temperature X    0 = greedy (default 0.8)
  --top-k N          keep the N most likely tokens (default 0 = all)
  --top-p X          nucleus sampling threshold (default 1)
  --seed N           random seed (default 42)
  --info             print the file's model, tokenizer and metadata summary first
)";
}  // namespace

int main(int argc, char** argv) {
  cli::Args args(argc, argv, {"help", "info"});
  if (args.has("help") || !args.has("model")) {
    std::fputs(kUsage, args.has("help") ? stdout : stderr);
    std::fputs(cli::kThreadsUsage, args.has("help") ? stdout : stderr);
    return args.has("help") ? 0 : 2;
  }
  args.reject_unknown({"help", "info", "model", "prompt", "tokens", "temperature", "top-k", "top-p", "seed", "threads"});
  cli::apply_threads_flag(args);
  try {
    const std::string bytes = cli::read_file(args.str("model"));
    LoadedFile f = load_file(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    if (args.has("info")) {
      const ModelConfig& c = f.model->config();
      std::fprintf(stderr, "%s: %s, %d layers, dim %d, %d heads, context %d, vocab %d (%s), %zu parameters%s\n",
                   args.str("model").c_str(), c.arch.c_str(), c.layers, c.dim, c.heads, c.context_length,
                   c.vocab_size, f.tokenizer->type().c_str(), f.model->num_params(),
                   f.checkpoint ? (", checkpoint at step " + std::to_string(f.checkpoint->step)).c_str() : "");
      std::fprintf(stderr, "metadata: %s\n", f.metadata.dump().c_str());
    }
    SampleOptions so;
    so.max_new_tokens = int(args.integer("tokens", 300));
    so.temperature = float(args.number("temperature", 0.8));
    so.top_k = int(args.integer("top-k", 0));
    so.top_p = float(args.number("top-p", 1.0));
    so.seed = uint64_t(args.integer("seed", 42));
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
