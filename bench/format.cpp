// format.cpp: the SLLM format benchmark (npm run bench:format). Loads (or trains) the 4-layer,
// dim-128 char model of bench:learn, writes it as f32, f16, q8_0 and q4_0 files and a checkpoint
// into bench/out/, and prints file sizes against the raw tensors and against the same model as
// JSON text (the format SLLM replaces), save and load times, and the validation loss of each
// dtype on bench:learn's 20 validation batches; then the q8_0 and q4_0 files loaded for
// generation (weights kept quantized, integer kernels): their validation loss against the
// dequantized figures and their greedy text against the f32 model's. The last line is one JSON
// object.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "bench_util.h"
#include "data/dataset.h"
#include "format/sllm_file.h"
#include "generate/generator.h"
#include "tokenizer/char_tokenizer.h"
#include "train/trainer.h"

using namespace sllm;
using sllm::bench::best_ms;

namespace {

std::string read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void write(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}


// Greedy text of n tokens after prompt.
std::string greedy(const Model& m, const Tokenizer& tok, const std::string& prompt, int n) {
  SampleOptions o;
  o.temperature = 0;
  o.max_new_tokens = n;
  o.stop_at_eos = false;
  return generate_text(m, tok, prompt, o);
}

double val_loss(Model& m, const std::vector<Batch>& val) {
  double s = 0;
  for (const auto& b : val) s += m.forward(b.x.data(), b.y.data(), b.B, b.T);
  return s / double(val.size());
}

// The model as JSON text, as the format SLLM replaces stored it: config, vocabulary and every
// tensor as nested arrays of numbers written as JavaScript writes a Float32Array's values.
size_t json_size(const Model& m, const Tokenizer& tok) {
  Json j = Json::object();
  j.set("config", m.config().to_json());
  j.set("tokenizer", tok.to_json());
  Json w = Json::object();
  for (const auto& t : m.tensors()) {
    const float* p = m.params() + t.offset;
    Json rows = Json::array();
    size_t cols = size_t(t.shape.back()), nrows = t.numel / cols;
    for (size_t r = 0; r < nrows; ++r) {
      Json row = Json::array();
      for (size_t c = 0; c < cols; ++c) row.push(double(p[r * cols + c]));
      rows.push(std::move(row));
    }
    w.set(t.name, t.shape.size() == 1 ? rows.items()[0] : rows);
  }
  j.set("weights", std::move(w));
  return j.dump().size();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string out = argc > 1 ? argv[1] : "bench/out";
  const std::string corpus = argc > 2 ? argv[2] : "../shared/data/tinyshakespeare.txt";
  const std::string text = read(corpus);
  if (text.empty()) {
    std::fprintf(stderr, "cannot read %s\n", corpus.c_str());
    return 1;
  }
  const std::string model_path = out + "/shakespeare-char.sllm";
  std::string bytes = read(model_path);
  if (bytes.empty()) {
    std::fprintf(stderr, "%s not found: run npm run bench:learn first (it writes it)\n", model_path.c_str());
    return 1;
  }
  LoadedFile base = load_file(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  Model& model = *base.model;
  const Tokenizer& tok = *base.tokenizer;
  TokenDataset data(tok.encode(text), 0.1f);
  auto val = data.validation_batches(20, 12, 64, 0x5eed);  // bench:learn's evaluation batches
  const double raw = double(model.num_params()) * 4;
  std::printf("model: %zu parameters (%s), raw f32 tensors %.0f bytes\n", model.num_params(),
              base.model->config().to_json().dump().c_str(), raw);
  std::printf("%-6s %10s %8s %12s %10s %10s %9s %9s\n", "dtype", "bytes", "vs raw", "B/quant.w", "save ms",
              "load ms", "val loss", "delta");
  Json result = Json::object();
  double f32_loss = 0;
  for (DType t : {DType::F32, DType::F16, DType::Q8_0, DType::Q4_0}) {
    SaveOptions so;
    so.weights = t;
    std::vector<uint8_t> file;
    double save_ms = best_ms([&] { file = save_model(model, tok, so); });
    write(out + "/model-" + dtype_name(t) + ".sllm", file);
    LoadedFile f;
    double load_ms = best_ms([&] { f = load_file(file.data(), file.size()); });
    double loss = val_loss(*f.model, val);
    if (t == DType::F32) f32_loss = loss;
    // Bytes per weight over the tensors stored in this dtype (block types: the quantized ones).
    double qbytes = 0, qcount = 0;
    const Json header = Json::parse(header_text(file.data(), file.size()));
    for (const auto& e : header.find("tensors")->items())
      if (e.get_string("dtype") == dtype_name(t)) {
        qbytes += e.get_number("nbytes");
        double n = 1;
        for (const auto& d : e.find("shape")->items()) n *= d.as_number();
        qcount += n;
      }
    std::printf("%-6s %10zu %7.2f%% %12.4f %10.2f %10.2f %9.4f %+9.4f\n", dtype_name(t), file.size(),
                100.0 * (double(file.size()) / raw - 1.0), qbytes / qcount, save_ms, load_ms, loss, loss - f32_loss);
    Json r = Json::object();
    r.set("bytes", file.size());
    r.set("bytes_per_quantized_weight", std::round(qbytes / qcount * 1e4) / 1e4);
    r.set("save_ms", std::round(save_ms * 100) / 100);
    r.set("load_ms", std::round(load_ms * 100) / 100);
    r.set("val_loss", std::round(loss * 1e4) / 1e4);
    r.set("val_loss_delta", std::round((loss - f32_loss) * 1e4) / 1e4);
    result.set(dtype_name(t), std::move(r));
  }
  // The quantized files loaded for generation (packed: weights kept as q8_0 / q4_0, integer
  // kernels with activations in 16-bit blocks): validation loss against the dequantized load's, and
  // greedy text of 64 tokens against the f32 model's.
  const char* prompts[] = {"\n", "ROMEO:\n", "First Citizen:\nWe are"};
  std::vector<std::string> f32_texts;
  for (const char* p : prompts) f32_texts.push_back(greedy(model, tok, p, 64));
  std::printf("%-6s %16s %9s %22s\n", "dtype", "packed val loss", "vs deq.", "greedy 64 tokens = f32");
  for (DType t : {DType::Q8_0, DType::Q4_0}) {
    SaveOptions so;
    so.weights = t;
    LoadOptions lo;
    lo.packed = true;
    LoadedFile f = load_file(std::make_shared<const std::vector<uint8_t>>(save_model(model, tok, so)), lo);
    const double loss = val_loss(*f.model, val);
    const double deq = result.find(dtype_name(t))->get_number("val_loss");
    int same = 0, same_chars = 0, chars = 0;
    for (size_t i = 0; i < f32_texts.size(); ++i) {
      const std::string text = greedy(*f.model, *f.tokenizer, prompts[i], 64);
      same += text == f32_texts[i];
      size_t k = 0;
      while (k < text.size() && k < f32_texts[i].size() && text[k] == f32_texts[i][k]) ++k;
      same_chars += int(k), chars += int(f32_texts[i].size());
    }
    std::printf("%-6s %16.4f %+9.4f %10d of %d prompts (%d of %d leading chars)\n", dtype_name(t), loss, loss - deq,
                same, int(f32_texts.size()), same_chars, chars);
    Json r = *result.find(dtype_name(t));
    r.set("packed_val_loss", std::round(loss * 1e4) / 1e4);
    r.set("packed_vs_dequantized", std::round((loss - deq) * 1e4) / 1e4);
    r.set("greedy_64_same_as_f32", same);
    r.set("greedy_64_prompts", int(f32_texts.size()));
    result.set(dtype_name(t), std::move(r));
  }
  // A checkpoint: the model plus AdamW moments and training state.
  TrainConfig tc;
  tc.seq_len = 64;
  Trainer trainer(model, data, tc);
  trainer.step();
  std::vector<uint8_t> ckpt;
  double ckpt_ms = best_ms([&] { ckpt = save_checkpoint(trainer, tok); }, 3);
  write(out + "/checkpoint.sllm", ckpt);
  double ckpt_load_ms = best_ms([&] { load_file(ckpt.data(), ckpt.size()); }, 3);
  size_t js = json_size(model, tok);
  const double f32_bytes = result.find("f32")->get_number("bytes");
  std::printf("checkpoint %zu bytes (%.3fx the f32 model), save %.2f ms, load %.2f ms\n", ckpt.size(),
              double(ckpt.size()) / f32_bytes, ckpt_ms, ckpt_load_ms);
  std::printf("as JSON text: %zu bytes, %.2fx the f32 SLLM file, %.2fx the q4_0 file\n", js, double(js) / f32_bytes,
              double(js) / result.find("q4_0")->get_number("bytes"));
  result.set("params", model.num_params());
  result.set("raw_f32_bytes", raw);
  result.set("f32_overhead_pct", std::round((f32_bytes / raw - 1) * 1e5) / 1e3);
  Json c = Json::object();
  c.set("bytes", ckpt.size());
  c.set("save_ms", std::round(ckpt_ms * 100) / 100);
  c.set("load_ms", std::round(ckpt_load_ms * 100) / 100);
  result.set("checkpoint", std::move(c));
  result.set("json_bytes", js);
  result.set("json_vs_f32", std::round(double(js) / f32_bytes * 100) / 100);
  std::printf("%s\n", result.dump().c_str());
  return 0;
}
