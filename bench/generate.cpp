// generate.cpp: generation speed of one model: prefill tokens/s (a prompt run as one batch
// through the decoder) and cached decoding tokens/s (one token per step with the KV cache), on a
// preset's architecture with its initial random weights and a random prompt. Usage:
//   bench_generate [--preset small] [--arch gpt|llama] [--prompt 128] [--new 128] [--runs 3]
// (--arch replaces the preset's architecture, with its derived defaults.) The last line is one
// JSON object. scripts/bench-generate.mjs runs it natively and in wasm (SIMD) side by side.
#include <cstdio>
#include <cstring>
#include <string>

#include "bench_util.h"
#include "core/rng.h"
#include "generate/decoder.h"
#include "model/config.h"
#include "model/model.h"

using namespace sllm;

namespace {
std::string arg(int argc, char** argv, const char* name, const char* dflt) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return dflt;
}

int32_t argmax(const float* x, int n) {
  int32_t best = 0;
  for (int i = 1; i < n; ++i)
    if (x[i] > x[best]) best = i;
  return best;
}
}  // namespace

int main(int argc, char** argv) {
  const std::string preset_name = arg(argc, argv, "--preset", "small"), arch = arg(argc, argv, "--arch", "");
  const int prompt_len = std::stoi(arg(argc, argv, "--prompt", "128")), new_tokens = std::stoi(arg(argc, argv, "--new", "128"));
  const int runs = std::stoi(arg(argc, argv, "--runs", "3"));
  ModelConfig c = preset(preset_name);
  if (!arch.empty()) {
    Json over = Json::object();
    over.set("arch", arch);
    c = c.with_overrides(over);
  }
  auto model = Model::create(c);
  Rng rng(7);
  std::vector<int32_t> prompt(static_cast<size_t>(prompt_len));
  for (auto& t : prompt) t = int32_t(rng.below(uint32_t(c.vocab_size)));
  Decoder dec(*model);

  // Prefill: the whole prompt as batches, best of the timed rounds after warm-up.
  const double prefill_s = bench::seconds_per_call([&] {
    dec.reset();
    dec.prefill(prompt);
  }, 0.5, 0.5, runs);
  // Decoding: after the prompt, new_tokens greedy steps; best run of `runs` after one warm-up.
  double decode_s = 1e30;
  for (int r = 0; r <= runs; ++r) {
    dec.reset();
    int32_t id = argmax(dec.prefill(prompt), c.vocab_size);
    const double t0 = bench::now_s();
    for (int i = 0; i < new_tokens; ++i) id = argmax(dec.step(id), c.vocab_size);
    const double s = bench::now_s() - t0;
    if (r > 0) decode_s = std::min(decode_s, s);
  }
  const double prefill_tps = prompt_len / prefill_s, decode_tps = new_tokens / decode_s;
  std::printf("%s %s (%s, %zu parameters): prefill %d tokens at %.0f tokens/s, decode %d tokens at %.1f tokens/s\n",
              bench::build_name(), preset_name.c_str(), c.arch.c_str(), model->num_params(), prompt_len, prefill_tps,
              new_tokens, decode_tps);
  std::printf("{\"bench\":\"generate\",\"build\":\"%s\",\"preset\":\"%s\",\"arch\":\"%s\",\"params\":%zu,"
              "\"prompt\":%d,\"new\":%d,\"prefill_tokens_per_s\":%.1f,\"decode_tokens_per_s\":%.2f}\n",
              bench::build_name(), preset_name.c_str(), c.arch.c_str(), model->num_params(), prompt_len, new_tokens,
              prefill_tps, decode_tps);
  return 0;
}
