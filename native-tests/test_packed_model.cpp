// test_packed_model.cpp: models loaded packed for inference (LoadOptions::packed: matrices and
// embeddings stay in the file's bytes and dtype) against the same files loaded in f32, for both
// architectures: the same logits (f32 files exactly; f16 files within 1e-5: the f32 load's
// batched prefill sums in GEMM's order, the f16 kernel in matvec's; q8_0 / q4_0 within the
// activation rounding of the integer kernels), memory of about the file's tensor bytes, f32
// parameters bit for bit the f32 load's after unpack(), training starting from them, saving in
// the file's dtype giving the file back byte for byte, q | k | v in three different dtypes,
// the errors of backward() on a packed model, and the same bits on any number of threads.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/rng.h"
#include "core/thread_pool.h"
#include "data/dataset.h"
#include "format/sllm_file.h"
#include "generate/decoder.h"
#include "model/architecture.h"
#include "tokenizer/char_tokenizer.h"
#include "train/trainer.h"

using namespace sllm;

namespace {

const char* kCorpus = "the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.\n";

struct Files {
  std::unique_ptr<CharTokenizer> tok;
  std::unique_ptr<Model> model;
};

// A small random model (dims multiples of 32, so every matrix quantizes to blocks).
Files make_model(const std::string& arch, bool tied, int dim = 64, int ffn = 96) {
  Files f;
  f.tok = CharTokenizer::train(kCorpus);
  ModelConfig c;
  c.arch = arch;
  c.vocab_size = int(f.tok->vocab_size());
  c.context_length = 24;
  c.dim = dim;
  c.layers = 2;
  c.heads = 4;
  c.kv_heads = arch == "llama" ? 2 : 4;
  c.ffn_dim = ffn;
  c.tie_embeddings = tied;
  f.model = Model::create(c);
  Rng rng(11);
  for (size_t i = 0; i < f.model->num_params(); ++i) f.model->params()[i] += 0.05f * rng.normal();
  return f;
}

std::shared_ptr<const std::vector<uint8_t>> save(const Files& f, DType t) {
  SaveOptions so;
  so.weights = t;
  return std::make_shared<const std::vector<uint8_t>>(save_model(*f.model, *f.tok, so));
}

LoadedFile load_packed(std::shared_ptr<const std::vector<uint8_t>> bytes) {
  LoadOptions o;
  o.packed = true;
  return load_file(std::move(bytes), o);
}

// Logits after a 9-token prefill, then after each of 4 one-token steps.
std::vector<std::vector<float>> run(const Model& m) {
  Decoder d(m);
  const std::vector<int32_t> prompt = {1, 5, 2, 7, 3, 3, 9, 4, 6};
  std::vector<std::vector<float>> out;
  const int V = m.config().vocab_size;
  const float* l = d.prefill(prompt);
  out.emplace_back(l, l + V);
  for (int32_t id : {8, 1, 0, 2}) {
    l = d.step(id);
    out.emplace_back(l, l + V);
  }
  return out;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(double(a[i]) - double(b[i])));
  return m;
}

}  // namespace

TEST_CASE("packed models give the f32-loaded model's logits (f32 exactly, f16 within 1e-5, q8_0 and q4_0 close)",
          "[packed]") {
  for (const char* arch : {"gpt", "llama"})
    for (bool tied : {true, false}) {
      Files f = make_model(arch, tied);
      for (DType t : {DType::F32, DType::F16, DType::Q8_0, DType::Q4_0}) {
        auto bytes = save(f, t);
        LoadedFile plain = load_file(bytes->data(), bytes->size());
        LoadedFile packed = load_packed(bytes);
        INFO(arch << (tied ? " tied " : " untied ") << dtype_name(t));
        REQUIRE(packed.model->packed());
        REQUIRE(!plain.model->packed());
        const auto a = run(*packed.model), b = run(*plain.model);
        for (size_t i = 0; i < a.size(); ++i) {
          const double d = max_abs_diff(a[i], b[i]);
          double scale = 0;
          for (float v : b[i]) scale = std::max(scale, std::fabs(double(v)));
          INFO((i == 0 ? "prefill" : "step " + std::to_string(i)) << ": largest difference " << d << " of logits up to "
                                                                   << scale);
          if (t == DType::F32) REQUIRE(d == 0.0);
          else if (t == DType::F16) REQUIRE(d <= 1e-5);
          // The integer kernels round each activation by up to 1/65534 of its block's largest
          // value (the kernels' exact bounds are test_quant_kernels.cpp's); through two layers
          // the logits move by up to ~6e-5 of the largest one here: 1e-3 is asserted.
          else REQUIRE(d <= 1e-3 * std::max(1.0, scale));
        }
      }
    }
}

TEST_CASE("packed weights take the file's tensor bytes; unpack gives the f32 load bit for bit; training starts",
          "[packed]") {
  Files f = make_model("gpt", true);
  for (DType t : {DType::F32, DType::Q8_0, DType::Q4_0}) {
    INFO(dtype_name(t));
    auto bytes = save(f, t);
    LoadedFile packed = load_packed(bytes);
    LoadedFile plain = load_file(bytes->data(), bytes->size());
    Model& m = *packed.model;
    uint64_t matrices = 0, others = 0;  // from the file's own header
    const Json header = Json::parse(header_text(bytes->data(), bytes->size()));
    for (const Json& e : header.find("tensors")->items())
      (e.find("shape")->size() == 2 ? matrices : others) += uint64_t(e.get_number("nbytes"));
    CHECK(m.weight_bytes() == matrices + others);  // the norms and biases are f32 in the file too
    CHECK(m.weight_bytes() < (t == DType::F32 ? 1.01 : 0.3) * double(plain.model->weight_bytes()));
    m.unpack();
    REQUIRE(!m.packed());
    REQUIRE(m.num_params() == plain.model->num_params());
    CHECK(std::memcmp(m.params(), plain.model->params(), m.num_params() * sizeof(float)) == 0);
    CHECK(m.weight_bytes() == plain.model->weight_bytes());
  }
  // A trainer takes a packed model as it is: its first step converts the weights to f32.
  auto bytes = save(f, DType::Q8_0);
  LoadedFile packed = load_packed(bytes);
  std::string text;
  for (int i = 0; i < 10; ++i) text += kCorpus;
  TokenDataset data(f.tok->encode(text), 0.1f);
  TrainConfig tc;
  tc.batch_size = 2;
  tc.seq_len = 8;
  tc.max_steps = 2;
  Trainer trainer(*packed.model, data, tc);
  CHECK(!packed.model->packed());
  CHECK(std::isfinite(trainer.step().loss));
}

TEST_CASE("a packed model saved in its file's dtype gives the file back byte for byte", "[packed]") {
  Files f = make_model("llama", false);
  for (DType t : {DType::F32, DType::F16, DType::Q8_0, DType::Q4_0}) {
    auto bytes = save(f, t);
    LoadedFile packed = load_packed(bytes);
    SaveOptions so;
    so.weights = t;
    so.metadata = packed.metadata;
    INFO(dtype_name(t));
    CHECK(save_model(*packed.model, *packed.tokenizer, so) == *bytes);
  }
  // And in another dtype: the packed tensors are decoded and written as asked, as the f32 load does.
  auto f16 = save(f, DType::F16);
  LoadedFile packed = load_packed(f16), plain = load_file(f16->data(), f16->size());
  SaveOptions so;
  so.weights = DType::Q8_0;
  CHECK(save_model(*packed.model, *packed.tokenizer, so) == save_model(*plain.model, *plain.tokenizer, so));
}

TEST_CASE("q k v in three different dtypes run as one linear layer", "[packed]") {
  Files f = make_model("gpt", true);
  const Model& src = *f.model;
  // Every tensor from the f32 model; layer 0's attn_q as q8_0, attn_k as f16, attn_v as q4_0.
  std::vector<std::vector<uint8_t>> store(src.tensors().size());
  std::vector<Model::TensorBytes> tensors(src.tensors().size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const ParamTensor& p = src.tensors()[i];
    DType t = p.name == "blk.0.attn_q.weight" ? DType::Q8_0
            : p.name == "blk.0.attn_k.weight" ? DType::F16
            : p.name == "blk.0.attn_v.weight" ? DType::Q4_0
                                                : DType::F32;
    store[i].resize(size_t(dtype_nbytes(t, p.numel)));
    encode_tensor(t, src.params() + p.offset, size_t(p.numel), store[i].data());
    tensors[i] = {t, store[i].data()};
  }
  auto packed = Model::create_packed(src.config(), build_layout(src.config()), tensors, nullptr);
  // The f32 reference: the same weights as decoded from those dtypes.
  auto ref = Model::create(src.config(), false);
  for (size_t i = 0; i < tensors.size(); ++i)
    decode_tensor(tensors[i].dtype, tensors[i].data, size_t(src.tensors()[i].numel),
                  ref->params() + src.tensors()[i].offset);
  const auto a = run(*packed), b = run(*ref);
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("output " << i << ": largest difference " << max_abs_diff(a[i], b[i]));
    CHECK(max_abs_diff(a[i], b[i]) <= 1e-3);  // logits up to ~1.5 here: as the test above
    CHECK(max_abs_diff(a[i], b[i]) > 0.0);  // the q8_0 / q4_0 blocks did go through the integer kernels
  }
}

TEST_CASE("a packed model refuses backward() and unpacks for a training forward", "[packed]") {
  Files f = make_model("llama", true);
  LoadedFile packed = load_packed(save(f, DType::Q4_0));
  Model& m = *packed.model;
  const std::vector<int32_t> x = {1, 2, 3, 4}, y = {2, 3, 4, 5};
  const float loss = m.forward(x.data(), y.data(), 1, 4);  // evaluation runs packed
  CHECK(std::isfinite(loss));
  CHECK(m.packed());
  try {
    m.backward();
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::Training);
    CHECK(std::string(e.what()).find("packed for inference") != std::string::npos);
  }
  m.forward(x.data(), y.data(), 1, 4, true);
  CHECK(!m.packed());
  m.backward();
  CHECK(std::isfinite(m.grads()[0]));
}

TEST_CASE("a packed model's logits are the same bits on 1, 2, 3 and 4 threads", "[packed][threads]") {
  // Matrices large enough for the pool to split them (decoding: the 512-row MLP; prefill: all).
  Files f = make_model("llama", true, 256, 512);
  for (DType t : {DType::F16, DType::Q8_0, DType::Q4_0}) {
    LoadedFile packed = load_packed(save(f, t));
    std::vector<std::vector<float>> one;
    for (int threads : {1, 2, 3, 4}) {
      set_num_threads(threads);
      const auto out = run(*packed.model);
      INFO(dtype_name(t) << ", " << threads << " threads");
      if (threads == 1) one = out;
      else CHECK(out == one);
    }
    set_num_threads(1);
  }
}
