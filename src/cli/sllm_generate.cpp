// sllm_generate.cpp: loads a saved model (SLLM or GGUF file, any dtype) and samples text from it,
// streaming it to stdout as it is generated.
#include <cstdio>

#include "cli/args.h"
#include "cli/threads_flag.h"
#include "cli/files.h"
#include "cli/option_flags.h"
#include "cli/train_setup.h"
#include "core/error.h"
#include "format/gguf_model.h"
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

Samples text from a saved SLLM model or checkpoint, or a GGUF model (either architecture).

  --prompt TEXT        text to continue (default: a newline)
  --adapter FILE       a LoRA adapter (SLLM adapter file) to apply to the model it was trained on
  --info               print the file's model, tokenizer and metadata summary first
  --ids                print the prompt's and the generated token ids as one JSON line instead
                       of text (generation does not stop at [EOS]), to compare with other runtimes
)") + cli::flags_help(SampleOptions::options(), tool_defaults());
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> known = {"help", "info", "ids", "model", "adapter", "prompt", "threads"},
                           switches = {"help", "info", "ids"};
  cli::add_flags(SampleOptions::options(), known, switches);
  cli::Args args(argc, argv, switches);
  if (args.has("help") || !args.has("model")) {
    std::fputs(usage().c_str(), args.has("help") ? stdout : stderr);
    std::fputs(cli::kThreadsUsage, args.has("help") ? stdout : stderr);
    return args.has("help") ? 0 : 2;
  }
  args.reject_unknown(known);
  cli::apply_threads_flag(args);
  try {
    LoadedFile f = cli::load_base(args);
    if (args.has("info")) {
      const ModelConfig& c = f.model->config();
      std::fprintf(stderr, "%s: %s, %d layers, dim %d, %d heads, context %d, vocab %d (%s), %zu parameters%s\n",
                   args.str("model").c_str(), c.arch.c_str(), c.layers, c.dim, c.heads, c.context_length,
                   c.vocab_size, f.tokenizer->type().c_str(), f.model->num_params(),
                   f.checkpoint ? (", checkpoint at step " + std::to_string(f.checkpoint->step)).c_str() : "");
      std::fprintf(stderr, "metadata: %s\n", f.metadata.dump().c_str());
      if (const Lora* l = f.model->lora())
        std::fprintf(stderr, "LoRA adapter: rank %d, alpha %g on %s (%zu parameters)\n", l->config().rank,
                     double(l->config().alpha), LoraConfig::targets_string(l->config().targets).c_str(), l->num_params());
    }
    SampleOptions so = tool_defaults();
    SampleOptions::options().read(cli::given_flags(SampleOptions::options(), args, so), so, ErrorCode::InvalidArgument);
    so.validate();
    const std::string prompt = args.str("prompt", "\n");
    if (args.has("ids")) {
      so.stop_at_eos = false;
      const std::vector<int32_t> ids = f.tokenizer->encode(prompt);
      Json out = Json::object(), p = Json::array(), g = Json::array();
      for (int32_t id : ids) p.push(id);
      for (int32_t id : generate_ids(*f.model, ids, so)) g.push(id);
      out.set("prompt", std::move(p));
      out.set("generated", std::move(g));
      std::printf("%s\n", out.dump().c_str());
      return 0;
    }
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
