// sllm_train.cpp: the native command-line trainer. Trains a model (either architecture) on a
// text file with a preset or explicit flags (the model's and training's flags come from their
// option schemas), shows a progress bar with loss and tokens/s, evaluates on the trainer's
// schedule, prints a sample and reports the final validation loss (optionally as one JSON line).
#include <unistd.h>

#include <chrono>
#include <memory>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/args.h"
#include "cli/threads_flag.h"
#include "cli/files.h"
#include "cli/option_flags.h"
#include "core/error.h"
#include "generate/generator.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/char_tokenizer.h"
#include "tokenizer/word_tokenizer.h"
#include "cli/train_setup.h"
#include "format/sllm_file.h"
#include "train/trainer.h"

using namespace sllm;

namespace {

// The flags of the tool itself; the model's and training's come from their option schemas.
const std::vector<std::string> kToolFlags = {"help", "json", "quiet", "data", "preset", "sample-len", "temperature",
                                             "loss-log", "save", "save-dtype", "checkpoint", "checkpoint-every",
                                             "stop-at", "resume", "tokenizer", "vocab-size", "tokenizer-file",
                                             "time-limit", "threads", "model", "adapter", "save-adapter"};
const std::vector<std::string> kToolSwitches = {"help", "json", "quiet"};

std::string usage() {
  const ModelConfig model_defaults = preset("tiny");
  return std::string(R"(usage: sllm-train --data FILE [options]

Trains a language model (GPT or llama architecture) on a UTF-8 text file.

tokenizer: --tokenizer char|word|bpe (default char)  --vocab-size N (word/bpe; default: the
           preset's)  --tokenizer-file FILE (reuse the tokenizer of a saved .sllm file)
model:     --preset NAME (default tiny; of )") +
         [] {
           std::string names;
           for (const auto& n : preset_names()) names += (names.empty() ? "" : ", ") + n;
           return names;
         }() +
         R"(), then any of these, which replace the
           preset's (defaults shown: tiny's):
)" + cli::flags_help(ModelConfig::options(), model_defaults) +
         R"(training (defaults shown: the core's; a preset has its own, --context without --seq sets seq):
)" + cli::flags_help(TrainConfig::options(), TrainConfig()) +
         R"(output:    --sample-len N (chars sampled at each evaluation, 0 = none)  --temperature X
           --json (print one JSON object with the results as the last line)  --quiet
           --time-limit S (stop after S seconds of training)
           --loss-log FILE (append "step loss" per step, full precision)
files:     --save FILE (the trained model, SLLM format)  --save-dtype f32|f16|q8_0|q4_0
           --checkpoint FILE (a checkpoint to resume from)  --checkpoint-every N (steps)
           --stop-at STEP (stop this process at STEP, writing --checkpoint)
           --resume FILE (continue a checkpoint's run on the same --data; model, tokenizer and
           training options come from the file; a LoRA run's checkpoint also needs --model BASE)
fine-tuning: --model FILE (start from a saved SLLM or GGUF model instead of a new one: its
           tokenizer and architecture; with --lora-rank N a LoRA adapter trains on the frozen
           model, which an SLLM file keeps in its dtype: a q4_0 file stays q4_0 in memory)
           --adapter FILE (a saved adapter to go on training)
           --save-adapter FILE (the trained LoRA adapter; --save then writes the merged model)
)";
}

std::string fmt_duration(double s) {
  char buf[32];
  long t = long(s + 0.5);
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

void progress(bool tty, const StepResult& r, int64_t total, double secs, double tok_s) {
  const int width = 28;
  int filled = total > 0 ? int(double(r.step) / double(total) * width) : width;
  std::string bar(size_t(filled), '#');
  bar += std::string(size_t(width - filled), '.');
  double eta = tok_s > 0 ? double(total - r.step) * (double(r.tokens) / double(r.step)) / tok_s : 0;
  std::fprintf(stderr, "%s[%s] step %lld/%lld  loss %.4f  lr %.2e  %.0f tok/s  %s elapsed  ETA %s%s",
               tty ? "\r" : "", bar.c_str(), (long long)r.step, (long long)total, double(r.loss), double(r.lr),
               tok_s, fmt_duration(secs).c_str(), fmt_duration(eta).c_str(), tty ? "   " : "\n");
  std::fflush(stderr);
}

// The model: a preset, then the flags that override it; the vocabulary is the tokenizer's.
ModelConfig model_config(const cli::Args& args, int vocab_size) {
  ModelConfig base = preset(args.str("preset", "tiny"));
  Json over = cli::given_flags(ModelConfig::options(), args, base);
  over.set("vocab_size", vocab_size);
  return base.with_overrides(over);
}

// Training: the preset's settings (the core's defaults when fine-tuning a --model without
// --preset), then the flags that override them.
TrainConfig train_config(const cli::Args& args, const ModelConfig& mc) {
  Json preset_training = args.has("model") && !args.has("preset")
                             ? Json::object()
                             : preset_json(args.str("preset", "tiny")).get("training", Json::Type::Object);
  TrainConfig base = TrainConfig::from_json(preset_training);
  Json over = cli::given_flags(TrainConfig::options(), args, base);
  if (!args.has("seq") && args.has("context")) over.set("seq_len", mc.context_length);
  TrainConfig tc = base.with_overrides(over);
  tc.validate(mc);
  return tc;
}

std::unique_ptr<Tokenizer> make_tokenizer(const cli::Args& args, const std::string& text) {
  if (args.has("tokenizer-file")) {
    std::string bytes = cli::read_file(args.str("tokenizer-file"));
    return std::move(load_file(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()).tokenizer);
  }
  const std::string type = args.str("tokenizer", "char");
  const int vocab = int(args.integer("vocab-size", preset(args.str("preset", "tiny")).vocab_size));
  if (type == "char") return CharTokenizer::train(text);
  if (type == "word") {
    WordTokenizerOptions o;
    o.vocab_size = vocab;
    return WordTokenizer::train(text, o);
  }
  if (type == "bpe") {
    BpeTrainOptions o;
    o.vocab_size = vocab;
    auto t0 = std::chrono::steady_clock::now();
    auto tok = BpeTokenizer::train(text, o);
    if (!args.has("quiet"))
      std::fprintf(stderr, "trained a BPE vocabulary of %d tokens in %.2f s\n", tok->vocab_size(),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    return tok;
  }
  cli::Args::die("--tokenizer must be char, word or bpe");
}

// Characters (code points) per token over the validation split: the factor that turns a loss
// per token into a loss per character, comparable across tokenizers.
double chars_per_token(const Tokenizer& tok, const TokenDataset& data) {
  const auto& t = data.tokens();
  std::vector<int32_t> val(t.begin() + std::ptrdiff_t(data.train_size()), t.end());
  std::string text = tok.decode(val);
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  return val.empty() ? 1.0 : double(chars) / double(val.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> known = kToolFlags, switches = kToolSwitches;
  cli::add_flags(ModelConfig::options(), known, switches);
  cli::add_flags(TrainConfig::options(), known, switches);
  cli::Args args(argc, argv, switches);
  if (args.has("help") || !args.has("data")) {
    std::fputs(usage().c_str(), args.has("help") ? stdout : stderr);
    std::fputs(cli::kThreadsUsage, args.has("help") ? stdout : stderr);
    return args.has("help") ? 0 : 2;
  }
  args.reject_unknown(known);
  cli::apply_threads_flag(args);
  try {
    const std::string text = cli::read_file(args.str("data"));
    cli::TrainSetup setup;
    if (args.has("resume")) {
      setup = cli::resume(args, text);
    } else {
      if (args.has("model")) {
        for (const auto& o : ModelConfig::options().options)
          if (*o.flag && args.has(o.flag) && std::string(o.key) != "dropout")
            cli::Args::die(std::string("--") + o.flag + ": the model comes from --model " + args.str("model"));
        LoadedFile base = cli::load_base(args);
        setup.tok = std::move(base.tokenizer);
        setup.model = std::move(base.model);
        if (args.has("dropout")) setup.model->set_dropout(float(args.number("dropout", 0)));
      } else {
        setup.tok = make_tokenizer(args, text);
        setup.model = Model::create(model_config(args, setup.tok->vocab_size()));
      }
      TrainConfig tc = train_config(args, setup.model->config());
      setup.data = std::make_unique<TokenDataset>(setup.tok->encode(text), tc.val_fraction);
      setup.trainer = std::make_unique<Trainer>(*setup.model, *setup.data, tc);
    }
    std::unique_ptr<Tokenizer>& tok = setup.tok;
    std::unique_ptr<TokenDataset>& data = setup.data;
    Trainer& trainer = *setup.trainer;
    Model& model = trainer.model();
    const TrainConfig& tc = trainer.config();
    const ModelConfig& mc = model.config();
    const bool quiet = args.has("quiet"), tty = isatty(2) && !quiet;
    const int sample_len = int(args.integer("sample-len", 200));
    if (!quiet)
      std::fprintf(stderr, "corpus %zu chars, vocab %d, train %zu / val %zu tokens; %zu parameters to train%s\n",
                   text.size(), mc.vocab_size, data->train_size(), data->val_size(),
                   model.lora() ? model.lora()->num_params() : model.num_params(),
                   args.has("resume") ? (", resuming at step " + std::to_string(trainer.steps())).c_str() : "");
    const int64_t stop_at = args.integer("stop-at", -1), ckpt_every = args.integer("checkpoint-every", 0);
    std::FILE* loss_log = args.has("loss-log") ? std::fopen(args.str("loss-log").c_str(), "a") : nullptr;
    auto checkpoint = [&]() {
      if (!args.has("checkpoint")) return;
      cli::write_file(args.str("checkpoint"), save_checkpoint(trainer, *tok));
      if (!quiet) std::fprintf(stderr, "%scheckpoint at step %lld written to %s\n", tty ? "\n" : "",
                               (long long)trainer.steps(), args.str("checkpoint").c_str());
    };

    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    double last_draw = -1, train_secs = 0;
    float last_loss = 0, val_loss = NAN;
    bool evaluated_last = false;
    auto sample = [&]() {
      if (sample_len <= 0) return;
      SampleOptions so;
      so.max_new_tokens = sample_len;
      so.temperature = float(args.number("temperature", 0.8));
      so.seed = 42;
      std::string s = generate_text(model, *tok, "\n", so);
      std::fprintf(stderr, "---- sample ----\n%s\n----------------\n", s.c_str());
    };
    const double time_limit = args.number("time-limit", 0);
    while (!trainer.done() && trainer.steps() != stop_at && !(time_limit > 0 && train_secs >= time_limit)) {
      // The optimizer step (timed: tokens/s is training speed), then the schedule's evaluation
      // after it, if due, batch by batch.
      auto ts = clock::now();
      std::optional<StepResult> got = trainer.advance();
      train_secs += std::chrono::duration<double>(clock::now() - ts).count();
      while (!got) got = trainer.advance();
      const StepResult r = *got;
      if (loss_log) std::fprintf(loss_log, "%lld %.9g\n", (long long)r.step, double(r.loss));
      if (ckpt_every > 0 && r.step % ckpt_every == 0) checkpoint();
      last_loss = r.loss;
      double secs = std::chrono::duration<double>(clock::now() - t0).count();
      double tok_s = double(r.tokens) / train_secs;
      if (!quiet && (r.evaluated || (tty && secs - last_draw > 0.1) || r.step == 1)) {
        progress(tty, r, tc.max_steps, secs, tok_s);
        last_draw = secs;
      }
      if (r.evaluated) {
        val_loss = r.val_loss;
        if (!quiet) {
          std::fprintf(stderr, "%sstep %lld: train loss %.4f, val loss %.4f (perplexity %.2f)%s\n", tty ? "\n" : "",
                       (long long)r.step, double(r.loss), double(r.val_loss), double(r.val_perplexity),
                       r.early_stopped ? " - early stop" : "");
          sample();
        }
      }
      evaluated_last = r.evaluated;
    }
    if (loss_log) std::fclose(loss_log);
    if (!(ckpt_every > 0 && trainer.steps() % ckpt_every == 0)) checkpoint();  // the final state, once
    // A run cut short (--stop-at, --time-limit) has not evaluated its last step yet.
    if (tc.val_fraction > 0 && !evaluated_last) val_loss = trainer.evaluate().loss;
    if (args.has("save-adapter")) {
      if (!model.lora()) cli::Args::die("--save-adapter: this run trains no LoRA adapter (give --lora-rank)");
      cli::write_file(args.str("save-adapter"), save_adapter(model, *tok));
      if (!quiet) std::fprintf(stderr, "adapter written to %s\n", args.str("save-adapter").c_str());
    }
    if (args.has("save")) {
      SaveOptions so;
      if (!dtype_from_name(args.str("save-dtype", "f32"), so.weights))
        cli::Args::die("--save-dtype must be f32, f16, q8_0 or q4_0");
      if (model.lora()) model.merge_lora();  // the model computes what base + adapter did
      cli::write_file(args.str("save"), save_model(model, *tok, so));
      if (!quiet) std::fprintf(stderr, "model written to %s\n", args.str("save").c_str());
    }
    const double secs = std::chrono::duration<double>(clock::now() - t0).count();
    const double tok_s = train_secs > 0 ? double(trainer.tokens_seen()) / train_secs : 0;
    std::printf("final: steps %lld, train loss %.4f, val loss %.4f, %.1f s, %.0f tokens/s\n",
                (long long)trainer.steps(), double(last_loss), double(val_loss), secs, tok_s);
    if (args.has("json")) {
      Json j = Json::object();
      j.set("val_loss", std::round(double(val_loss) * 1e4) / 1e4);
      j.set("train_loss", std::round(double(last_loss) * 1e4) / 1e4);
      j.set("steps", trainer.steps());
      j.set("seconds", std::round(secs * 10) / 10);
      j.set("tokens_per_s", std::round(tok_s));
      j.set("params", model.num_params());
      j.set("early_stopped", trainer.early_stopped());
      j.set("tokenizer", tok->type());
      j.set("vocab_size", tok->vocab_size());
      if (tc.val_fraction > 0) {
        double cpt = chars_per_token(*tok, *data);
        j.set("chars_per_token", std::round(cpt * 1e4) / 1e4);
        j.set("val_loss_per_char", std::round(double(val_loss) / cpt * 1e4) / 1e4);
      }
      std::printf("%s\n", j.dump().c_str());
    }
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "\nerror (%s): %s\n", error_code_name(e.code()), e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "\nerror: out of memory; use a smaller model, batch or sequence length\n");
    return 1;
  }
}
