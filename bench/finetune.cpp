// finetune.cpp: fine-tuning quality (issue 15 point 2). A `small` preset model (gpt, dim 128,
// 4 layers, 4 heads, context 256) with a character tokenizer (as sllm-train and the demo make
// by default; its alphabet: every character of both texts) is pretrained on the demo's
// built-in stories, then fine-tuned on tinyshakespeare for the same number of steps in
// three ways, each from the same base: full fine-tuning (every weight, f32), LoRA (rank 8,
// alpha 16, every linear layer) on the f32 base, and LoRA on the base quantized to q4_0 and kept
// so (loaded packed: the base's products run on the q4_0 weights). Prints the validation loss
// on tinyshakespeare (its last 10%, the same 20 batches for every run) of the base and of each
// run, the time each took, and, as its last line, one JSON object.
//   bench_finetune STORIES SHAKESPEARE [--pretrain N] [--steps N] [--threads N]
// (scripts/bench-finetune.mjs writes STORIES from web/src/corpus/stories.ts and runs this.)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/thread_pool.h"
#include "data/dataset.h"
#include "format/sllm_file.h"
#include "tokenizer/char_tokenizer.h"
#include "train/trainer.h"

using namespace sllm;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TrainConfig train_config(int steps, float lr, int lora_rank) {
  TrainConfig tc;  // the small preset's training settings, scaled to the step count
  tc.batch_size = 12;
  tc.seq_len = 128;
  tc.max_steps = steps;
  tc.schedule.lr = lr;
  tc.schedule.min_lr = lr / 10;
  tc.schedule.warmup_steps = steps / 20;
  tc.schedule.decay_steps = steps;
  tc.val_fraction = 0.1f;
  tc.eval_batches = 20;
  tc.eval_interval = 0;
  tc.lora_rank = lora_rank;
  tc.lora_alpha = 16;
  tc.lora_targets = "all";
  return tc;
}

struct Run {
  const char* name;
  float val_loss;
  double seconds;
  uint64_t trained_params;
};

// Trains model on data for tc.max_steps steps; the validation loss after.
Run train(const char* name, Model& model, const TokenDataset& data, const TrainConfig& tc) {
  const double t0 = bench::now_s();
  Trainer trainer(model, data, tc);
  for (int64_t i = 0; i < tc.max_steps; ++i) trainer.train_step();
  const float val = trainer.evaluate().loss;
  const uint64_t n = model.lora() ? model.lora()->num_params() : model.num_params();
  return {name, val, bench::now_s() - t0, n};
}

float val_loss_of(Model& model, const TokenDataset& data) {
  TrainConfig tc = train_config(1, 1e-3f, 0);
  Trainer trainer(model, data, tc);
  return trainer.evaluate().loss;
}

std::unique_ptr<Model> load(const std::vector<uint8_t>& bytes, bool packed) {
  if (!packed) return load_file(bytes.data(), bytes.size()).model;
  LoadOptions lo;
  lo.packed = true;
  return load_file(std::make_shared<const std::vector<uint8_t>>(bytes), lo).model;
}

int run(const std::string& stories_path, const std::string& shakespeare_path, int pretrain, int steps) {
  const std::string stories = read_text(stories_path), shakespeare = read_text(shakespeare_path);
  ModelConfig mc = preset("small");
  const double t0 = bench::now_s();
  auto tok = CharTokenizer::train(stories + shakespeare);  // the alphabet only
  mc.vocab_size = int(tok->vocab_size());
  const TokenDataset story_data(tok->encode(stories), 0.05f);
  const TokenDataset shake_data(tok->encode(shakespeare), 0.1f);
  std::fprintf(stderr, "tokenizer: %d ids (%.0f s); stories %zu tokens, tinyshakespeare %zu tokens\n", mc.vocab_size,
               bench::now_s() - t0, story_data.size(), shake_data.size());

  auto base = Model::create(mc);
  const Run pre = train("pretraining on the stories", *base, story_data, train_config(pretrain, 1e-3f, 0));
  std::fprintf(stderr, "pretrained %d steps in %.0f s: stories validation loss %.4f\n", pretrain, pre.seconds,
               double(pre.val_loss));
  const std::vector<uint8_t> f32 = save_model(*base, *tok);
  SaveOptions q4;
  q4.weights = DType::Q4_0;
  const std::vector<uint8_t> q4_0 = save_model(*base, *tok, q4);
  const float base_val = val_loss_of(*base, shake_data);
  base.reset();
  const float q4_val = val_loss_of(*load(q4_0, true), shake_data);  // (evaluated on its dequantized values)

  std::vector<Run> runs;
  {
    auto m = load(f32, false);
    runs.push_back(train("full fine-tuning (f32)", *m, shake_data, train_config(steps, 1e-3f, 0)));
  }
  {
    auto m = load(f32, false);
    runs.push_back(train("LoRA r8, all linear layers (f32 base)", *m, shake_data, train_config(steps, 3e-3f, 8)));
  }
  {
    auto m = load(q4_0, true);
    runs.push_back(train("LoRA r8, all linear layers (q4_0 base)", *m, shake_data, train_config(steps, 3e-3f, 8)));
    if (!m->packed()) throw std::runtime_error("the q4_0 base was unpacked");
  }
  std::printf("fine-tuning a small model (pretrained %d steps on the stories) on tinyshakespeare for %d steps, "
              "batch 12 x 128 (busy machine)\n", pretrain, steps);
  std::printf("%-40s %10s %12s %8s\n", "run", "val loss", "trained", "time s");
  std::printf("%-40s %10.4f %12s %8s\n", "base (no fine-tuning)", double(base_val), "-", "-");
  std::printf("%-40s %10.4f %12s %8s\n", "q4_0 base (no fine-tuning)", double(q4_val), "-", "-");
  for (const Run& r : runs)
    std::printf("%-40s %10.4f %12llu %8.0f\n", r.name, double(r.val_loss), (unsigned long long)r.trained_params,
                r.seconds);
  const double gap = double(runs[1].val_loss) - double(runs[0].val_loss);
  std::printf("LoRA - full: %+.4f nats (target: within 0.15): %s; q4_0-base LoRA - full: %+.4f nats\n", gap,
              gap <= 0.15 ? "met" : "NOT met", double(runs[2].val_loss) - double(runs[0].val_loss));
  std::printf("{\"bench\":\"finetune\",\"pretrain_steps\":%d,\"steps\":%d,\"base_val_loss\":%.4f,\"q4_0_base_val_loss\":%.4f,\"full_val_loss\":%.4f,"
              "\"lora_val_loss\":%.4f,\"lora_q4_0_val_loss\":%.4f,\"lora_minus_full\":%.4f,\"seconds\":[%.1f,%.1f,%.1f]}\n",
              pretrain, steps, double(base_val), double(q4_val), double(runs[0].val_loss), double(runs[1].val_loss),
              double(runs[2].val_loss), gap, runs[0].seconds, runs[1].seconds, runs[2].seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_finetune STORIES SHAKESPEARE [--pretrain N] [--steps N] [--threads N]\n");
    return 2;
  }
  int pretrain = 300, steps = 150;
  for (int i = 3; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--pretrain") == 0) pretrain = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--steps") == 0) steps = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--threads") == 0) set_num_threads(std::atoi(argv[i + 1]));
  }
  try {
    return run(argv[1], argv[2], pretrain, steps);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_finetune: %s\n", e.what());
    return 1;
  }
}
