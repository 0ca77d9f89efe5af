// gguf.cpp: the GGUF benchmark (npm run bench:gguf). The `small` preset (dim 128, 4 layers,
// context 256) with its 5k byte-level BPE vocabulary learned on the corpus, and with a char
// vocabulary, written as GGUF and as SLLM in f32, f16, q8_0 and q4_0: file sizes, the GGUF/SLLM
// size ratio (target <= 1.01), and export and import times (best of 5) of both formats. GGUF
// spends 8 bytes on each string's length and 4 on each token's type where SLLM's JSON spends about
// 3, so a large vocabulary costs GGUF a fixed ~13 bytes per token. The last line is one JSON object.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "bench_util.h"
#include "format/gguf_model.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/char_tokenizer.h"

using namespace sllm;

using sllm::bench::best_ms;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_gguf CORPUS\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  if (text.empty()) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  Json result = Json::object();
  for (const char* kind : {"bpe", "char"}) {
    std::unique_ptr<Tokenizer> tok;
    if (std::string(kind) == "bpe") {
      BpeTrainOptions bo;
      bo.vocab_size = preset("small").vocab_size;
      bo.eos = true;
      tok = BpeTokenizer::train(text, bo);
    } else {
      CharTokenizerOptions co;
      co.eos = true;
      tok = CharTokenizer::train(text, co);
    }
    ModelConfig cfg = preset("small");
    cfg.vocab_size = tok->vocab_size();
    std::unique_ptr<Model> owner = Model::create(cfg);
    const Model& model = *owner;
    std::printf("small preset, %s tokenizer of %d tokens: %zu parameters\n", kind, tok->vocab_size(), model.num_params());
    std::printf("%-6s %11s %11s %8s %10s %10s %10s %10s\n", "dtype", "GGUF bytes", "SLLM bytes", "ratio", "export ms",
                "import ms", "SLLM save", "SLLM load");
    Json rows = Json::object();
    double worst_ratio = 0;
    for (DType d : {DType::F32, DType::F16, DType::Q8_0, DType::Q4_0}) {
      SaveOptions o;
      o.weights = d;
      std::vector<uint8_t> gguf, sllm;
      const double export_ms = best_ms([&] { gguf = save_gguf(model, *tok, o); });
      const double save_ms = best_ms([&] { sllm = save_model(model, *tok, o); });
      const double import_ms = best_ms([&] { load_gguf(gguf.data(), gguf.size()); });
      const double load_ms = best_ms([&] { load_file(sllm.data(), sllm.size()); });
      const double ratio = double(gguf.size()) / double(sllm.size());
      worst_ratio = std::max(worst_ratio, ratio);
      std::printf("%-6s %11zu %11zu %8.4f %10.2f %10.2f %10.2f %10.2f\n", dtype_name(d), gguf.size(), sllm.size(), ratio,
                  export_ms, import_ms, save_ms, load_ms);
      Json r = Json::object();
      r.set("gguf_bytes", gguf.size());
      r.set("sllm_bytes", sllm.size());
      r.set("ratio", ratio);
      r.set("export_ms", export_ms);
      r.set("import_ms", import_ms);
      r.set("sllm_save_ms", save_ms);
      r.set("sllm_load_ms", load_ms);
      rows.set(dtype_name(d), std::move(r));
    }
    std::printf("largest GGUF/SLLM size ratio %.4f (target <= 1.01)\n\n", worst_ratio);
    rows.set("max_ratio", worst_ratio);
    rows.set("vocab_size", tok->vocab_size());
    result.set(kind, std::move(rows));
  }
  result.set("bench", "gguf");
  std::printf("%s\n", result.dump().c_str());
  return 0;
}
