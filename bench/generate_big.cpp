// generate_big.cpp: generation at real model sizes (issue 14's bench:generate shapes), random
// weights. Two commands:
//   bench_generate_big write DIR   writes DIR/<shape>-<dtype>.sllm for a GPT-2-124M-shaped
//       model (12 layers, dim 768, 12 heads, vocabulary 50257, context 1024) and a
//       SmolLM-135M-shaped llama (30 layers, dim 576, 9 heads, 3 kv heads, ffn 1536, vocabulary
//       49152, context 2048) in f32, f16, q8_0 and q4_0 (tokenizer: one character per id), and
//       the same models as DIR/<shape>-<dtype>.gguf (llama.cpp's format, for wllama);
//   bench_generate_big run FILE [--prompt N] [--new N] [--threads N]   loads FILE packed for generation (the
//       weights stay in the file's bytes and dtype), prefills an N-token prompt (default 128)
//       and decodes N new tokens greedily (default 128), and prints one JSON line: load ms,
//       prefill and decode tokens/s (on the wall clock, and on the process's CPU clock, which a
//       busy machine disturbs less), the weights', KV cache's and scratch's bytes, and memory:
//       in wasm the module's memory at the end (it never shrinks: the peak; Emscripten grows
//       it by up to 20% more than asked) and its growth from before the file was read, and the
//       growth of malloc's heap (what was allocated); natively the process's peak resident set.
// Run each file in a fresh process (scripts/bench-generate-big.mjs does), so memory is the
// file's alone.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "bench_util.h"
#include "bench_model_util.h"
#include "core/thread_pool.h"
#include "format/gguf_model.h"
#include "format/sllm_file.h"
#include "generate/decoder.h"
#include "tokenizer/char_tokenizer.h"

using namespace sllm;

namespace {

struct Shape {
  const char* name;
  ModelConfig cfg;
};

std::vector<Shape> shapes() {
  ModelConfig gpt;
  gpt.arch = "gpt";
  gpt.vocab_size = 50257, gpt.context_length = 1024, gpt.dim = 768, gpt.layers = 12, gpt.heads = 12;
  gpt.kv_heads = 12, gpt.ffn_dim = 3072, gpt.tie_embeddings = true;
  ModelConfig smol;
  smol.arch = "llama";
  smol.vocab_size = 49152, smol.context_length = 2048, smol.dim = 576, smol.layers = 30, smol.heads = 9;
  smol.kv_heads = 3, smol.ffn_dim = 1536, smol.tie_embeddings = true, smol.rope_theta = 10000;
  return {{"gpt2-124m", gpt}, {"smollm-135m", smol}};
}

int write(const std::string& dir) {
  for (const Shape& s : shapes()) {
    auto tok = bench::char_tokenizer(s.cfg.vocab_size);
    auto model = Model::create(s.cfg);
    for (DType t : {DType::F32, DType::F16, DType::Q8_0, DType::Q4_0}) {
      SaveOptions so;
      so.weights = t;
      for (const char* ext : {"sllm", "gguf"}) {
        const std::vector<uint8_t> bytes = ext[0] == 's' ? save_model(*model, *tok, so) : save_gguf(*model, *tok, so);
        const std::string path = dir + "/" + s.name + "-" + dtype_name(t) + "." + ext;
        std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
        std::fprintf(stderr, "wrote %s (%zu bytes)\n", path.c_str(), bytes.size());
      }
    }
  }
  return 0;
}

int run(const std::string& path, int prompt_len, int new_tokens) {
  const uint64_t mem0 = bench::memory_bytes(), heap0 = bench::heap_top();
  const double t0 = bench::now_s();
  auto bytes = std::make_shared<std::vector<uint8_t>>();
  {
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) {
      std::fprintf(stderr, "cannot read %s\n", path.c_str());
      return 1;
    }
    bytes->resize(size_t(f.tellg()));
    f.seekg(0);
    f.read(reinterpret_cast<char*>(bytes->data()), std::streamsize(bytes->size()));
  }
  const size_t file_bytes = bytes->size();
  const uint64_t mem_read = bench::memory_bytes();
  LoadOptions lo;
  lo.packed = true;
  LoadedFile file = load_file(std::shared_ptr<const std::vector<uint8_t>>(std::move(bytes)), lo);
  const double load_ms = (bench::now_s() - t0) * 1e3;
  const uint64_t mem_loaded = bench::memory_bytes();
  const Model& model = *file.model;
  const int V = model.config().vocab_size;
  Decoder dec(model);
  const uint64_t mem_decoder = bench::memory_bytes();
  std::vector<int32_t> prompt(static_cast<size_t>(prompt_len));
  for (int i = 0; i < prompt_len; ++i) prompt[size_t(i)] = int32_t((i * 7919 + 13) % V);
  const double t1 = bench::now_s(), c1 = bench::cpu_s();
  const float* logits = dec.prefill(prompt);
  const double t2 = bench::now_s(), c2 = bench::cpu_s();
  const uint64_t mem_prefill = bench::memory_bytes();
  for (int i = 0; i < new_tokens; ++i) {
    int32_t best = 0;
    for (int v = 1; v < V; ++v)
      if (logits[v] > logits[best]) best = v;
    logits = dec.step(best);
  }
  const double t3 = bench::now_s(), c3 = bench::cpu_s();
  const uint64_t mem = bench::memory_bytes(), heap = bench::heap_top() - heap0;
  std::printf(
      "{\"file\":\"%s\",\"build\":\"%s\",\"threads\":%d,\"file_bytes\":%zu,\"load_ms\":%.1f,\"prefill_tokens_per_s\":%.1f,"
      "\"decode_tokens_per_s\":%.2f,\"prefill_cpu_tokens_per_s\":%.1f,\"decode_cpu_tokens_per_s\":%.2f,\"weight_bytes\":%llu,\"kv_cache_bytes\":%llu,\"scratch_bytes\":%llu,"
      "\"memory_bytes\":%llu,\"memory_growth_bytes\":%llu,\"heap_growth_bytes\":%llu,\"memory_after\":{\"read\":%llu,"
      "\"load\":%llu,\"decoder\":%llu,\"prefill\":%llu}}\n",
      path.substr(path.find_last_of('/') + 1).c_str(), bench::build_name(), num_threads(), file_bytes, load_ms,
      prompt_len / (t2 - t1), new_tokens / (t3 - t2), prompt_len / (c2 - c1), new_tokens / (c3 - c2), (unsigned long long)model.weight_bytes(),
      (unsigned long long)dec.cache_bytes(), (unsigned long long)dec.scratch_bytes(), (unsigned long long)mem,
      (unsigned long long)(mem - mem0), (unsigned long long)heap, (unsigned long long)(mem_read - mem0), (unsigned long long)(mem_loaded - mem0),
      (unsigned long long)(mem_decoder - mem0), (unsigned long long)(mem_prefill - mem0));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 2 ? argv[1] : "";
  if (cmd == "write") return write(argv[2]);
  if (cmd == "run") {
    int prompt_len = 128, new_tokens = 128;
    for (int i = 3; i < argc; ++i) {
      if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) set_num_threads(std::atoi(argv[i + 1]));
      if (std::strcmp(argv[i], "--prompt") == 0 && i + 1 < argc) prompt_len = std::atoi(argv[i + 1]);
      if (std::strcmp(argv[i], "--new") == 0 && i + 1 < argc) new_tokens = std::atoi(argv[i + 1]);
    }
    return run(argv[2], prompt_len, new_tokens);
  }
  std::fprintf(stderr, "usage: bench_generate_big write DIR | run FILE [--prompt N] [--new N]\n");
  return 2;
}
