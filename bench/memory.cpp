// memory.cpp: peak memory of training setups at the seed's size (issue 15: a GPT of vocabulary
// 10,000, dim 512, 6 layers, 8 heads, ffn 2048, context 256; batch 8 x 256 tokens), random
// weights and a synthetic token stream. Two commands:
//   bench_memory write DIR   writes the base model (tied embeddings) as DIR/base-<dtype>.sllm in
//       f16, q8_0 and q4_0 (the f32 setups create the model in memory instead);
//   bench_memory run DIR SETUP [--steps N] [--threads N]   in a fresh process, runs N training
//       steps of SETUP (default 1: the peak is reached in the first) and prints one JSON line:
//       the memory (wasm: the module's memory at the end, which never shrinks: the peak;
//       natively the peak resident set), the memory before anything was allocated, malloc's
//       heap growth (wasm), tokens/s (of the steps after the first when there are more), the
//       first and last loss, and the core's estimate
//       (training_memory / inference_memory) with its parts. SETUP: full, full+recompute,
//       lora-<dtype> (rank 8 on every linear layer; dtype f32, f16, q8_0, q4_0),
//       lora-<dtype>+recompute, or infer (f32 generation: a 128-token prompt and 128 new tokens).
//       "+recompute" is every memory-saving option: recomputation and the chunked passes.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "bench_model_util.h"
#include "bench_util.h"
#include "core/rng.h"
#include "core/thread_pool.h"
#include "data/dataset.h"
#include "format/sllm_file.h"
#include "generate/decoder.h"
#include "model/architecture.h"
#include "train/trainer.h"

using namespace sllm;

namespace {

ModelConfig seed_config() {
  ModelConfig c;
  c.arch = "gpt";
  c.vocab_size = 10000, c.context_length = 256, c.dim = 512, c.layers = 6, c.heads = 8, c.kv_heads = 8;
  c.ffn_dim = 2048, c.tie_embeddings = true, c.dropout = 0.0f;
  return c;
}

int write(const std::string& dir) {
  auto model = Model::create(seed_config());
  auto tok = bench::char_tokenizer(seed_config().vocab_size);
  for (DType t : {DType::F16, DType::Q8_0, DType::Q4_0}) {
    SaveOptions so;
    so.weights = t;
    const std::vector<uint8_t> bytes = save_model(*model, *tok, so);
    const std::string path = dir + "/base-" + dtype_name(t) + ".sllm";
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    std::fprintf(stderr, "wrote %s (%zu bytes)\n", path.c_str(), bytes.size());
  }
  return 0;
}

// The file's bytes, read straight into the buffer the packed model keeps.
std::shared_ptr<const std::vector<uint8_t>> read_bytes(const std::string& path) {
  auto bytes = std::make_shared<std::vector<uint8_t>>();
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) throw std::runtime_error("cannot read " + path + " (run: bench_memory write DIR)");
  bytes->resize(size_t(f.tellg()));
  f.seekg(0);
  f.read(reinterpret_cast<char*>(bytes->data()), std::streamsize(bytes->size()));
  return bytes;
}

// A synthetic token stream with some structure to learn (runs of a drifting id).
std::vector<int32_t> token_stream(int V, size_t n) {
  std::vector<int32_t> t(n);
  Rng rng(7);
  int32_t id = 0;
  for (size_t i = 0; i < n; ++i) {
    if (rng.below(4) == 0) id = int32_t(rng.below(uint32_t(V)));
    t[i] = (id + int32_t(i % 3)) % V;
  }
  return t;
}

void print_estimate(const MemoryEstimate& e) {
  std::printf("\"estimate_bytes\":%llu,\"estimate\":{\"weights\":%llu,\"gradients\":%llu,\"optimizer\":%llu,"
              "\"activations\":%llu,\"kv_cache\":%llu,\"scratch\":%llu}",
              (unsigned long long)e.total(), (unsigned long long)e.weights, (unsigned long long)e.gradients,
              (unsigned long long)e.optimizer, (unsigned long long)e.activations, (unsigned long long)e.kv_cache,
              (unsigned long long)e.scratch);
}

int infer(uint64_t mem0, uint64_t heap0) {
  auto model = Model::create(seed_config());
  Decoder dec(*model);
  std::vector<int32_t> prompt(128);
  for (size_t i = 0; i < prompt.size(); ++i) prompt[i] = int32_t((i * 7919 + 13) % 10000);
  const double t0 = bench::now_s();
  const float* logits = dec.prefill(prompt);
  for (int i = 0; i < 128; ++i) {
    int32_t best = 0;
    for (int v = 1; v < 10000; ++v)
      if (logits[v] > logits[best]) best = v;
    logits = dec.step(best);
  }
  const double secs = bench::now_s() - t0;
  const uint64_t mem = bench::memory_bytes();
  std::printf("{\"setup\":\"infer\",\"build\":\"%s\",\"threads\":%d,\"memory_bytes\":%llu,\"memory_start\":%llu,"
              "\"heap_growth_bytes\":%llu,\"tokens_per_s\":%.2f,\"packed\":false,",
              bench::build_name(), num_threads(), (unsigned long long)mem, (unsigned long long)mem0,
              (unsigned long long)(bench::heap_top() - heap0), 256.0 / secs);
  print_estimate(inference_memory(*model));
  std::printf("}\n");
  return 0;
}

int run(const std::string& dir, const std::string& setup, int steps) {
  const uint64_t mem0 = bench::memory_bytes(), heap0 = bench::heap_top();
  if (setup == "infer") return infer(mem0, heap0);
  const bool recompute = setup.size() > 10 && setup.compare(setup.size() - 10, 10, "+recompute") == 0;
  const std::string base = setup.substr(0, setup.size() - (recompute ? 10 : 0));
  const bool lora = base.rfind("lora-", 0) == 0;
  if (!lora && base != "full") throw std::runtime_error("unknown setup " + setup);
  const std::string dtype = lora ? base.substr(5) : "f32";
  DType held = DType::F32;
  std::unique_ptr<Model> model;
  if (dtype == "f32") {
    model = Model::create(seed_config());
  } else {
    held = dtype == "f16" ? DType::F16 : dtype == "q8_0" ? DType::Q8_0 : DType::Q4_0;
    LoadOptions lo;
    lo.packed = true;
    model = load_file(read_bytes(dir + "/base-" + dtype + ".sllm"), lo).model;
  }
  TrainConfig tc;
  tc.batch_size = 8;
  tc.seq_len = 256;
  tc.max_steps = steps;
  tc.val_fraction = 0.0f;
  tc.eval_interval = 0;
  tc.recompute = tc.chunked = recompute;
  if (lora) tc.lora_rank = 8, tc.lora_alpha = 16, tc.lora_targets = "all";
  const TokenDataset data(token_stream(10000, 1 << 16), 0.0f);
  Trainer trainer(*model, data, tc);
  float first = 0, last = 0;
  double t1 = bench::now_s();
  for (int i = 0; i < steps; ++i) {
    if (i == 1) t1 = bench::now_s();  // after the first step's allocations (when there are more)
    last = trainer.train_step().loss;
    if (i == 0) first = last;
  }
  const double secs = bench::now_s() - t1;
  const int timed = steps > 1 ? steps - 1 : 1;
  const uint64_t mem = bench::memory_bytes();
  std::printf("{\"setup\":\"%s\",\"build\":\"%s\",\"threads\":%d,\"memory_bytes\":%llu,\"memory_start\":%llu,"
              "\"heap_growth_bytes\":%llu,\"tokens_per_s\":%.2f,\"loss_first\":%.4f,\"loss_last\":%.4f,\"packed\":%s,"
              "\"weight_bytes\":%llu,",
              setup.c_str(), bench::build_name(), num_threads(), (unsigned long long)mem, (unsigned long long)mem0,
              (unsigned long long)(bench::heap_top() - heap0), double(timed) * 2048.0 / secs,
              double(first), double(last), model->packed() ? "true" : "false", (unsigned long long)model->weight_bytes());
  print_estimate(training_memory(model->config(), tc.memory_setup(model->config(), held, num_threads())));
  std::printf("}\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 2 ? argv[1] : "";
  try {
    if (cmd == "write") return write(argv[2]);
    if (cmd == "run" && argc > 3) {
      int steps = 1;
      for (int i = 4; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--threads") == 0) set_num_threads(std::atoi(argv[i + 1]));
        if (std::strcmp(argv[i], "--steps") == 0) steps = std::atoi(argv[i + 1]);
      }
      return run(argv[2], argv[3], steps);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_memory: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "usage: bench_memory write DIR | run DIR SETUP [--steps N] [--threads N]\n");
  return 2;
}
