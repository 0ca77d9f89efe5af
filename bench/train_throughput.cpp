// train_throughput.cpp: training throughput (tokens/s) of the nanoGPT CPU reference config
// (4 layers, 4 heads, dim 128, context 64, batch 12, ffn 512, dropout 0, AdamW, clipping 1.0)
// on char tokens of a text file (tinyshakespeare gives vocab 65), or on random tokens of vocab
// 65 when the file cannot be read; with --config medium, the `medium` preset with its training
// settings (batch 12, context 256) on random tokens of its vocabulary (8000). --threads sets
// the thread pool. Runs warm-up steps, then times `rounds` rounds of `steps` steps and reports
// the best round (the machine may be shared). Last line: one JSON object.
// usage: bench_train_throughput [corpus.txt] [--config nanogpt|medium] [--threads N] [--steps N] [--rounds N] [--warmup N]
// (under wasm the file is read through NODERAWFS, relative to Node's working directory)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "bench_util.h"
#include "core/thread_pool.h"
#include "tokenizer/char_tokenizer.h"
#include "train/trainer.h"

using namespace sllm;

int main(int argc, char** argv) {
  std::string path, config = "nanogpt";
  int steps = 10, rounds = 3, warmup = 3, threads = 1;
  for (int i = 1; i < argc; ++i) {
    auto next = [&] { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
    if (!std::strcmp(argv[i], "--steps")) steps = next();
    else if (!std::strcmp(argv[i], "--rounds")) rounds = next();
    else if (!std::strcmp(argv[i], "--warmup")) warmup = next();
    else if (!std::strcmp(argv[i], "--threads")) threads = next();
    else if (!std::strcmp(argv[i], "--config") && i + 1 < argc) config = argv[++i];
    else path = argv[i];
  }
  if (steps < 1 || rounds < 1 || warmup < 0 || threads < 1 || (config != "nanogpt" && config != "medium")) {
    std::fprintf(stderr, "usage: %s [corpus.txt] [--config nanogpt|medium] [--threads N] [--steps N] [--rounds N] [--warmup N]\n", argv[0]);
    return 2;
  }
  set_num_threads(threads);
  std::string text;
  if (!path.empty()) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    text = ss.str();
  }
  const bool medium = config == "medium";
  if (medium) text.clear();
  std::vector<int32_t> tokens;
  int vocab = medium ? preset("medium").vocab_size : 65;
  const char* data = "random tokens";
  if (!text.empty()) {
    auto tok = CharTokenizer::train(text);
    tokens = tok->encode(text);
    vocab = tok->vocab_size();
    data = "char tokens";
  } else {
    Rng rng(7);
    tokens.resize(200000);
    for (auto& t : tokens) t = int32_t(rng.below(uint32_t(vocab)));
  }

  ModelConfig mc = medium ? preset("medium") : ModelConfig{};
  if (!medium) {
    mc.vocab_size = vocab;
    mc.context_length = 64;
    mc.dim = 128;
    mc.layers = 4;
    mc.heads = mc.kv_heads = 4;
    mc.ffn_dim = 512;
    mc.dropout = 0.0f;
  }
  mc.validate();
  TrainConfig tc;
  tc.batch_size = 12;
  tc.seq_len = mc.context_length;
  tc.max_steps = 1 << 30;
  tc.schedule.lr = 1e-3f;
  tc.schedule.min_lr = 1e-4f;
  tc.schedule.warmup_steps = 100;
  tc.schedule.decay_steps = 2000;
  tc.adamw.beta2 = 0.99f;
  tc.grad_clip = 1.0f;
  tc.eval_batches = 1;
  auto model_owner = Model::create(mc);
  Model& model = *model_owner;
  TokenDataset dataset(std::move(tokens), 0.1f);
  Trainer trainer(model, dataset, tc);

  const long tokens_per_step = long(tc.batch_size) * tc.seq_len;
  std::printf("training throughput, build %s, %d threads: %s config, %s (vocab %d), %zu parameters, %ld tokens/step\n",
              bench::build_name(), num_threads(), config.c_str(), data, vocab, model.num_params(), tokens_per_step);
  StepResult r{};
  for (int i = 0; i < warmup; ++i) r = trainer.step();
  double best = 1e30;
  for (int round = 0; round < rounds; ++round) {
    const double t0 = bench::now_s();
    for (int i = 0; i < steps; ++i) r = trainer.step();
    const double sec = bench::now_s() - t0;
    best = std::min(best, sec);
    std::printf("round %d: %d steps in %.3f s: %.0f tokens/s (loss %.4f)\n", round + 1, steps, sec,
                double(steps * tokens_per_step) / sec, double(r.loss));
  }
  const double tok_s = double(steps * tokens_per_step) / best;
  std::printf("{\"bench\":\"train_throughput\",\"build\":\"%s\",\"config\":\"%s\",\"threads\":%d,\"data\":\"%s\","
              "\"vocab\":%d,\"steps\":%d,\"rounds\":%d,\"ms_per_step\":%.2f,\"tokens_per_s\":%.0f,\"loss\":%.4f}\n",
              bench::build_name(), config.c_str(), num_threads(), data, vocab, steps, rounds, best / steps * 1e3, tok_s,
              double(r.loss));
  return 0;
}
