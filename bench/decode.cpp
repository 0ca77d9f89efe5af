// decode.cpp: single-token decoding speed (tokens/s) of a preset's model (default `medium`,
// randomly initialized: the speed does not depend on the weights): greedy decoding with the KV
// cache from a one-token prompt, `tokens` new tokens per round (they must fit the context), best
// of `rounds` rounds after a warm-up round. --threads sets the thread pool. Last line: one JSON
// object.
// usage: bench_decode [--preset NAME] [--threads N] [--tokens N] [--rounds N]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench_util.h"
#include "core/thread_pool.h"
#include "generate/generator.h"

using namespace sllm;

int main(int argc, char** argv) {
  std::string name = "medium";
  int threads = 1, tokens = 128, rounds = 3;
  for (int i = 1; i < argc; ++i) {
    auto next = [&] { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
    if (!std::strcmp(argv[i], "--threads")) threads = next();
    else if (!std::strcmp(argv[i], "--tokens")) tokens = next();
    else if (!std::strcmp(argv[i], "--rounds")) rounds = next();
    else if (!std::strcmp(argv[i], "--preset") && i + 1 < argc) name = argv[++i];
  }
  ModelConfig mc = preset(name);
  if (threads < 1 || rounds < 1 || tokens < 1 || tokens >= mc.context_length) {
    std::fprintf(stderr, "usage: %s [--preset NAME] [--threads N] [--tokens N < context] [--rounds N]\n", argv[0]);
    return 2;
  }
  set_num_threads(threads);
  auto owner = Model::create(mc);
  const Model& model = *owner;
  SampleOptions opts;
  opts.temperature = 0.0f;
  opts.max_new_tokens = tokens;
  opts.stop_at_eos = false;
  auto round = [&] {
    TokenGenerator gen(model, {1}, opts);
    const double t0 = bench::now_s();
    while (!gen.done()) gen.next();
    return bench::now_s() - t0;
  };
  std::printf("decoding, build %s, %d threads: preset %s, %zu parameters, %d new tokens per round\n",
              bench::build_name(), num_threads(), name.c_str(), model.num_params(), tokens);
  round();  // warm-up
  double best = 1e30;
  for (int r = 0; r < rounds; ++r) {
    const double sec = round();
    best = std::min(best, sec);
    std::printf("round %d: %.0f tokens/s\n", r + 1, tokens / sec);
  }
  std::printf("{\"bench\":\"decode\",\"build\":\"%s\",\"preset\":\"%s\",\"threads\":%d,\"tokens\":%d,"
              "\"rounds\":%d,\"tokens_per_s\":%.1f}\n",
              bench::build_name(), name.c_str(), num_threads(), tokens, rounds, tokens / best);
  return 0;
}
