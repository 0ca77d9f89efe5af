// llama_tool.cpp: the two things the GGUF fixture scripts ask of llama.cpp itself, through its
// public C API (llama.h). Not part of the build: compile it by hand against a llama.cpp build:
//   g++ -O2 -std=c++17 llama_tool.cpp -I LLAMA/include -I LLAMA/ggml/include -L LLAMA/build/bin -lllama -lggml -lggml-base
//   llama_tool tokenize MODEL.gguf TEXT_FILE [special]   -> [ids] (no BOS)
//   llama_tool logits MODEL.gguf ID ID ...               -> [[logits of position 0], ...] (f32 KV cache)
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "llama.h"

static void quiet(ggml_log_level level, const char* text, void*) {
  if (level >= GGML_LOG_LEVEL_WARN) std::fputs(text, stderr);
}

int main(int argc, char** argv) {
  if (argc < 4) return 2;
  const std::string mode = argv[1];
  llama_log_set(quiet, nullptr);
  llama_backend_init();
  llama_model_params mp = llama_model_default_params();
  mp.vocab_only = mode == "tokenize";
  llama_model* model = llama_model_load_from_file(argv[2], mp);
  if (!model) return 1;
  const llama_vocab* vocab = llama_model_get_vocab(model);
  if (mode == "tokenize") {
    std::ifstream f(argv[3], std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string text = ss.str();
    std::vector<llama_token> ids(text.size() + 8);
    int n = llama_tokenize(vocab, text.data(), int32_t(text.size()), ids.data(), int32_t(ids.size()), false, argc > 4);
    if (n < 0) return 1;
    std::printf("[");
    for (int i = 0; i < n; ++i) std::printf("%s%d", i ? "," : "", ids[i]);
    std::printf("]\n");
    return 0;
  }
  std::vector<llama_token> ids;
  for (int i = 3; i < argc; ++i) ids.push_back(std::atoi(argv[i]));
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = 0;  // the model's
  cp.n_batch = cp.n_ubatch = uint32_t(ids.size());
  cp.n_threads = cp.n_threads_batch = 1;
  cp.type_k = cp.type_v = GGML_TYPE_F32;  // an f32 KV cache (the default f16 one rounds keys and values)
  cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
  llama_context* ctx = llama_init_from_model(model, cp);
  llama_batch batch = llama_batch_init(int32_t(ids.size()), 0, 1);
  for (size_t i = 0; i < ids.size(); ++i) {
    batch.token[i] = ids[i];
    batch.pos[i] = llama_pos(i);
    batch.n_seq_id[i] = 1;
    batch.seq_id[i][0] = 0;
    batch.logits[i] = 1;
  }
  batch.n_tokens = int32_t(ids.size());
  if (llama_decode(ctx, batch) != 0) return 1;
  const int V = llama_vocab_n_tokens(vocab);
  std::printf("[");
  for (size_t i = 0; i < ids.size(); ++i) {
    const float* l = llama_get_logits_ith(ctx, int32_t(i));
    std::printf("%s[", i ? "," : "");
    for (int v = 0; v < V; ++v) std::printf("%s%.9g", v ? "," : "", l[v]);
    std::printf("]");
  }
  std::printf("]\n");
  llama_batch_free(batch);
  llama_free(ctx);
  llama_model_free(model);
  return 0;
}
