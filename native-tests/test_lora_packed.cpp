// test_lora_packed.cpp: LoRA on a frozen base kept in its file dtype (loaded packed: f16, q8_0,
// q4_0 matrices dequantized on the fly in the forward and backward products, never converted
// to a whole f32 copy). For both architectures: the adapter's gradients on a q8_0 base against
// finite differences; training steps on a q8_0 / q4_0 / f16 base against the same steps on the
// f32 model dequantized from the same file (the training passes multiply by dequantized tiles of
// the base's rows: the same products); the model staying packed (weight bytes unchanged, no gradient
// slab) through training, recomputation and chunking; adapters made on a packed base attaching
// to the same values only; merging into a packed base; and training settings the model cannot
// take refused before anything is converted; recomputation bit-identical to storing on it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/rng.h"
#include "core/error.h"
#include "data/dataset.h"
#include "format/adapter_file.h"
#include "format/sllm_file.h"
#include "generate/decoder.h"
#include "gradcheck.h"
#include "kernels/kernels.h"
#include "kernels/tiled_linear.h"
#include "lora_test_util.h"
#include "tokenizer/char_tokenizer.h"
#include "train/trainer.h"

using namespace sllm;
using namespace sllm::test;

namespace {

const char* kText =
    "the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.\n"
    "how vexingly quick daft zebras jump! sphinx of black quartz, judge my vow.\n";

struct Saved {
  std::unique_ptr<CharTokenizer> tok;
  std::shared_ptr<const std::vector<uint8_t>> bytes;
};

// A small random model (matrices' rows multiples of 32) saved with its matrices in dtype.
Saved saved_model(const std::string& arch, bool tied, DType dtype) {
  Saved s;
  s.tok = CharTokenizer::train(kText);
  ModelConfig c;
  c.arch = arch;
  c.vocab_size = int(s.tok->vocab_size());
  c.context_length = 16;
  c.dim = 64;
  c.layers = 2;
  c.heads = 4;
  c.kv_heads = arch == "llama" ? 2 : 4;
  c.ffn_dim = 96;
  c.tie_embeddings = tied;
  auto m = Model::create(c);
  randomize(*m, 23, 0.05f);
  SaveOptions so;
  so.weights = dtype;
  s.bytes = std::make_shared<const std::vector<uint8_t>>(save_model(*m, *s.tok, so));
  return s;
}

std::unique_ptr<Model> load(const Saved& s, bool packed) {
  if (!packed) return load_file(s.bytes->data(), s.bytes->size()).model;  // dequantized to f32
  LoadOptions o;
  o.packed = true;
  return load_file(s.bytes, o).model;
}

}  // namespace

TEST_CASE("adapter gradients on a q8_0 base match finite differences (gpt and llama)", "[lora][packed][grad]") {
  for (const char* arch : {"gpt", "llama"})
    for (bool recompute : {false, true}) {
      const Saved s = saved_model(arch, std::string(arch) == "gpt", DType::Q8_0);
      auto m = load(s, true);
      REQUIRE(m->packed());
      const uint64_t bytes = m->weight_bytes();
      m->set_step_plan(recompute ? small_pieces(true, true) : StepPlan{});
      attach_random_lora(*m, all_targets(m->config(), 2, 3.0f), 31, 0.1f);
      INFO(arch << (recompute ? ", recompute + chunked" : ", stored"));
      const Batch2 batch = random_batch(3, 7, m->config().vocab_size, 5);
      const StepOut g = train_grads(*m, batch, 5, recompute);
      CHECK(m->packed());  // the base was never converted
      CHECK(m->weight_bytes() == bytes);
      CHECK(m->grads() == nullptr);
      auto loss = [&] {
        Rng rng(5);
        return double(m->forward(batch.x.data(), batch.y.data(), batch.B, batch.T, true, &rng));
      };
      // Directional derivatives, along the gradient of each adapter tensor and of all of them:
      // there the loss moves by |g| eps, far above the float loss's rounding (per entry, a
      // weight's effect is of the order of that rounding). A tensor's wrong, missing or
      // mis-scaled gradient moves the finite difference away from |g|.
      Model::Trainable t = m->trainable();
      const std::vector<float> w0(t.params, t.params + t.count);
      std::vector<std::pair<std::string, std::pair<size_t, size_t>>> parts;
      for (const ParamTensor& p : *t.tensors) parts.push_back({p.name, {size_t(p.offset), size_t(p.numel)}});
      parts.push_back({"every adapter tensor", {0, t.count}});
      for (const auto& part : parts) {
        const size_t o = part.second.first, n = part.second.second;
        double gn = 0;
        for (size_t i = o; i < o + n; ++i) gn += double(g.grads[i]) * double(g.grads[i]);
        gn = std::sqrt(gn);
        auto at = [&](double e) {
          for (size_t i = o; i < o + n; ++i) t.params[i] = float(double(w0[i]) + e * double(g.grads[i]) / gn);
          return loss();
        };
        const double eps = 1e-2, fd = (at(eps) - at(-eps)) / (2 * eps);
        std::copy(w0.begin(), w0.end(), t.params);
        INFO(part.first << ": finite difference " << fd << " along the gradient, |g| " << gn);
        CHECK(gn > 0);
        CHECK(std::fabs(fd - gn) < 0.02 * gn + 1e-4);
      }
    }
}

TEST_CASE("LoRA on a packed base trains like LoRA on the f32 model dequantized from the same file",
          "[lora][packed]") {
  struct Case {
    const char* arch;
    DType dtype;
    double tol;  // loss difference allowed per step (sums in another order)
  };
  for (const Case& k : {Case{"gpt", DType::Q8_0, 2e-3}, Case{"llama", DType::Q8_0, 2e-3},
                        Case{"gpt", DType::Q4_0, 2e-3}, Case{"llama", DType::F16, 1e-4}})
    for (bool recompute : {false, true}) {
      const Saved s = saved_model(k.arch, false, k.dtype);
      const TokenDataset data(s.tok->encode(kText), 0.1f);
      TrainConfig tc;
      tc.batch_size = 3;
      tc.seq_len = 12;
      tc.max_steps = 6;
      tc.lora_rank = 4;
      tc.lora_dropout = 0.1f;
      tc.recompute = recompute;
      tc.chunked = recompute;
      tc.schedule.lr = 1e-2f;
      auto packed = load(s, true), plain = load(s, false);
      REQUIRE(packed->packed());
      REQUIRE(!plain->packed());
      const uint64_t bytes = packed->weight_bytes();
      CHECK(bytes < plain->weight_bytes() / (k.dtype == DType::F16 ? 1 : 2));
      Trainer a(*packed, data, tc), b(*plain, data, tc);
      INFO(k.arch << " " << dtype_name(k.dtype) << (recompute ? ", recompute + chunked" : ""));
      double worst = 0;
      for (int i = 0; i < tc.max_steps; ++i) {
        const float la = a.train_step().loss, lb = b.train_step().loss;
        CHECK(std::isfinite(la));
        worst = std::max(worst, std::fabs(double(la) - double(lb)));
      }
      CHECK(worst < k.tol);
      CHECK(packed->packed());
      CHECK(packed->weight_bytes() == bytes);
      // The adapters trained alike.
      const Lora& la = *packed->lora();
      const Lora& lb = *plain->lora();
      double diff = 0, norm = 0;
      for (size_t i = 0; i < la.num_params(); ++i) {
        diff = std::max(diff, double(std::fabs(la.params()[i] - lb.params()[i])));
        norm = std::max(norm, double(std::fabs(lb.params()[i])));
      }
      CHECK(diff < 0.02 * norm);
    }
}

TEST_CASE("tiled products on packed rows equal the products with the dequantized matrix", "[lora][packed]") {
  // 3 row blocks (q | k | v in different dtypes, 70 + 32 + 96 rows: tiles cross block ends).
  const int K = 64, N = 5, rows[3] = {70, 32, 96};
  const DType types[3] = {DType::Q8_0, DType::Q4_0, DType::F16};
  Rng rng(3);
  std::vector<std::vector<uint8_t>> bytes(3);
  std::vector<float> full;  // the dequantized (198, K) matrix
  LinearWeight w;
  for (int p = 0; p < 3; ++p) {
    std::vector<float> v(size_t(rows[p]) * K);
    for (float& x : v) x = rng.normal();
    bytes[p].resize(size_t(dtype_nbytes(types[p], v.size())));
    encode_tensor(types[p], v.data(), v.size(), bytes[p].data());
    std::vector<float> back(v.size());
    decode_tensor(types[p], bytes[p].data(), v.size(), back.data());
    full.insert(full.end(), back.begin(), back.end());
    w.part[p] = make_weight_view(types[p], bytes[p].data(), rows[p], K, "w");
  }
  w.parts = 3;
  const int OC = w.rows();
  std::vector<float> x(size_t(N) * K), dout(size_t(N) * OC), bias(static_cast<size_t>(OC));
  for (float& v : x) v = rng.normal();
  for (float& v : dout) v = rng.normal();
  for (float& v : bias) v = rng.normal();
  // Forward: exactly matmul_forward on the dequantized matrix (each output's sum is gemm's).
  std::vector<float> y(size_t(N) * OC), want_y(y.size());
  tiled_linear_forward(y.data(), x.data(), w, bias.data(), N);
  matmul_forward(want_y.data(), x.data(), full.data(), bias.data(), N, K, OC);
  for (size_t i = 0; i < y.size(); ++i) CHECK(y[i] == Approx(want_y[i]).margin(1e-5).epsilon(1e-5));
  // Backward: dinp += dout · W, against a double-precision sum.
  std::vector<float> got(size_t(N) * K, 0.5f), want(got);
  linear_input_grad(got.data(), dout.data(), w, N);
  for (int i = 0; i < N; ++i)
    for (int c = 0; c < K; ++c) {
      double s = 0.5;
      for (int o = 0; o < OC; ++o) s += double(dout[size_t(i) * OC + o]) * double(full[size_t(o) * K + c]);
      want[size_t(i) * K + c] = float(s);
    }
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(want[i]).margin(1e-4).epsilon(1e-4));
}

TEST_CASE("an adapter trained on a packed base names it by its values: it attaches to the file loaded packed or "
          "dequantized, not to other weights; merging converts the base",
          "[lora][packed][format]") {
  const Saved s = saved_model("gpt", true, DType::Q8_0);
  auto trained = load(s, true);
  attach_random_lora(*trained, all_targets(trained->config(), 4), 41);
  const std::vector<uint8_t> file = save_adapter(*trained, *s.tok);
  CHECK(trained->packed());  // the checksum read the packed rows without converting them
  const Batch2 b = random_batch(1, 9, trained->config().vocab_size, 2);
  trained->forward(b.x.data(), nullptr, 1, 9);
  const std::vector<float> want(trained->logits(), trained->logits() + 9 * trained->config().vocab_size);
  for (bool packed : {true, false}) {
    auto m = load(s, packed);
    LoadedAdapter a = load_adapter(file.data(), file.size());
    attach_adapter(*m, std::move(a.lora), a.config);
    m->forward(b.x.data(), nullptr, 1, 9);
    double worst = 0;
    for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, double(std::fabs(m->logits()[i] - want[i])));
    INFO((packed ? "packed" : "dequantized") << " load: logits differ by " << worst);
    CHECK(worst < 1e-6);  // both run the products of the dequantized weights
    // Generation with the adapter (the integer kernels on the packed rows, 16-bit activations).
    Decoder dec(*m);
    const float* last = dec.prefill(b.x);
    const int V = m->config().vocab_size;
    for (int v = 0; v < V; ++v) CHECK(last[v] == Approx(want[size_t(8 * V + v)]).margin(2e-3));
  }
  // The f16 file of the same model holds other values: refused.
  auto other = load(saved_model("gpt", true, DType::F16), true);
  LoadedAdapter c = load_adapter(file.data(), file.size());
  try {
    attach_adapter(*other, std::move(c.lora), c.config);
    FAIL("attached to other weights");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("this adapter was trained on other weights"));
  }
  // Merging writes the update into f32 weights: the packed base is converted first.
  trained->merge_lora();
  CHECK(!trained->packed());
  trained->forward(b.x.data(), nullptr, 1, 9);
  for (size_t i = 0; i < want.size(); ++i) CHECK(trained->logits()[i] == Approx(want[i]).margin(2e-3));
}

TEST_CASE("LoRA training settings the model cannot take get clear errors", "[lora][errors]") {
  const Saved s = saved_model("gpt", true, DType::Q4_0);
  auto m = load(s, true);
  const TokenDataset data(s.tok->encode(kText), 0.1f);
  TrainConfig tc;
  tc.batch_size = 2;
  tc.seq_len = 8;
  tc.lora_rank = 65;  // the model's layers are 64 wide
  auto error_of = [&](const TrainConfig& c) -> std::string {
    try {
      Trainer t(*m, data, c);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK_THAT(error_of(tc), Catch::Contains("rank 65 is larger than the attn_q layer (64 x 64)"));
  tc.lora_rank = 8;
  tc.lora_targets = "attn_q,ffn_gate";
  CHECK_THAT(error_of(tc), Catch::Contains("the gpt architecture has no ffn_gate layer"));
  CHECK(m->packed());  // nothing was converted on the way to the errors
}

TEST_CASE("on a packed base, recomputation gives bit-identical losses and adapter gradients to storing",
          "[lora][packed][step_plan]") {
  for (const char* arch : {"gpt", "llama"})
    for (bool chunked : {false, true}) {
      const Saved s = saved_model(arch, false, DType::Q4_0);
      auto m = load(s, true);
      attach_random_lora(*m, all_targets(m->config(), 2, 3.0f, 0.1f), 13, 0.1f);
      const Batch2 batch = random_batch(3, 7, m->config().vocab_size, 6);
      INFO(arch << (chunked ? ", chunked" : ""));
      m->set_step_plan(small_pieces(false, chunked));
      const StepOut stored = train_grads(*m, batch, 77, false);
      m->set_step_plan(small_pieces(true, chunked));
      const StepOut recomputed = train_grads(*m, batch, 77, true);
      CHECK(stored.loss == recomputed.loss);
      REQUIRE(stored.grads.size() == recomputed.grads.size());
      CHECK(std::memcmp(stored.grads.data(), recomputed.grads.data(), 4 * stored.grads.size()) == 0);
      CHECK(m->packed());
    }
}
