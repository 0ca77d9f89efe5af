// test_format.cpp: SLLM files: round trips (bit-identical weights, identical logits and
// tokenizer), dtypes byte for byte as ggml, checkpoints that resume exactly, and metadata.
#include <catch2/catch.hpp>
#include <cmath>

#include "core/error.h"
#include "format/dtype.h"
#include "format_util.h"
#include "train/trainer.h"

using namespace sllm;
using namespace sllm::test;

TEST_CASE("save then load gives bit-identical f32 weights, identical logits and tokenizer", "[format]") {
  for (const char* arch : {"gpt", "llama"})
    for (bool tied : {true, false}) {
      INFO(arch << (tied ? " tied" : " untied"));
      SmallModel m = small_model(tied, 32, arch);
      SaveOptions so;
      so.metadata.set("name", "round trip");
      std::vector<uint8_t> bytes = save_model(*m.model, *m.tok, so);
      LoadedFile f = load_file(bytes.data(), bytes.size());
      REQUIRE(f.model->num_params() == m.model->num_params());
      CHECK(std::memcmp(f.model->params(), m.model->params(), m.model->num_params() * sizeof(float)) == 0);
      CHECK(f.model->config().to_json().dump() == m.model->config().to_json().dump());
      CHECK(f.tokenizer->to_json().dump() == m.tok->to_json().dump());
      CHECK(f.metadata.get_string("name") == "round trip");
      CHECK(f.checkpoint == nullptr);
      std::vector<int32_t> x = m.tok->encode("hello world, thi");
      const int T = int(x.size());
      m.model->forward(x.data(), nullptr, 1, T);
      f.model->forward(x.data(), nullptr, 1, T);
      CHECK(std::memcmp(m.model->logits(), f.model->logits(), size_t(T) * m.tok->vocab_size() * sizeof(float)) == 0);
      // Saving the loaded model gives the same bytes.
      CHECK(save_model(*f.model, *f.tokenizer, so) == bytes);
    }
}

TEST_CASE("the f32 file is the raw tensors plus a small header", "[format]") {
  SmallModel m = small_model();
  std::vector<uint8_t> bytes = save_model(*m.model, *m.tok);
  const size_t raw = m.model->num_params() * 4;
  CHECK(bytes.size() > raw);
  CHECK(bytes.size() < raw + 64 * (m.model->tensors().size() + 1) + 4096);
  CHECK(std::memcmp(bytes.data(), "SLLM", 4) == 0);
  CHECK(read_u32(bytes, 4) == 1);
  CHECK(read_u32(bytes, 12) == 64);
  CHECK(read_u32(bytes, bytes.size() - 4) == crc32(bytes.data(), bytes.size() - 4));
}

TEST_CASE("f16 conversion: exact values, rounding to nearest even, specials", "[format][dtype]") {
  CHECK(f32_to_f16(1.0f) == 0x3C00);
  CHECK(f32_to_f16(-2.0f) == 0xC000);
  CHECK(f32_to_f16(65504.0f) == 0x7BFF);
  CHECK(f32_to_f16(1e6f) == 0x7C00);                // overflow to inf
  CHECK(f32_to_f16(5.9604645e-8f) == 0x0001);       // smallest subnormal
  CHECK(f32_to_f16(1.0f + 1.0f / 2048) == 0x3C00);  // halfway: to even
  CHECK(f32_to_f16(1.0f + 3.0f / 2048) == 0x3C02);  // halfway: to even (up)
  CHECK(std::isnan(f16_to_f32(f32_to_f16(std::nanf("")))));
  for (uint32_t h = 0; h < 0x7C00; ++h) CHECK(f32_to_f16(f16_to_f32(uint16_t(h))) == h);  // every finite half
}

TEST_CASE("q8_0 and q4_0 blocks are ggml's layouts byte for byte", "[format][dtype]") {
  float x[32];
  // q4_0: the value of largest magnitude is -8, so d = -8 / -8 = 1 and nibble = value + 8.
  for (int j = 0; j < 16; ++j) x[j] = float(j - 8);
  for (int j = 16; j < 32; ++j) x[j] = float(7 - (j - 16));
  uint8_t q4[18];
  encode_tensor(DType::Q4_0, x, 32, q4);
  CHECK(q4[0] == 0x00);
  CHECK(q4[1] == 0x3C);  // f16 1.0, little-endian
  for (int j = 0; j < 16; ++j) CHECK(int(q4[2 + j]) == (j | ((15 - j) << 4)));
  float back[32];
  decode_tensor(DType::Q4_0, q4, 32, back);
  for (int j = 0; j < 32; ++j) CHECK(back[j] == x[j]);
  // q8_0: d = max|x| / 127, q = round(x / d).
  for (int j = 0; j < 32; ++j) x[j] = float(j - 16);
  uint8_t q8[34];
  encode_tensor(DType::Q8_0, x, 32, q8);
  float d = f16_to_f32(uint16_t(q8[0] | (q8[1] << 8)));
  CHECK(d == Approx(16.0f / 127).epsilon(1e-3));
  CHECK(int8_t(q8[2]) == -127);
  CHECK(int8_t(q8[2 + 16]) == 0);
  CHECK(int8_t(q8[2 + 24]) == int(std::round(8 * 127.0 / 16)));
  decode_tensor(DType::Q8_0, q8, 32, back);
  for (int j = 0; j < 32; ++j) CHECK(back[j] == Approx(x[j]).margin(0.07));
  CHECK(dtype_nbytes(DType::Q8_0, 64) == 68);
  CHECK(dtype_nbytes(DType::Q4_0, 64) == 36);
}

TEST_CASE("quantized files load, stay close, and keep norms and biases exact", "[format][dtype]") {
  for (const char* arch : {"gpt", "llama"}) {
    INFO(arch);
    SmallModel m = small_model(true, 64, arch);
    std::vector<int32_t> x = m.tok->encode("hello world");
    m.model->forward(x.data(), nullptr, 1, int(x.size()));
    std::vector<float> ref(m.model->logits(), m.model->logits() + x.size() * size_t(m.tok->vocab_size()));
    size_t last = SIZE_MAX;
    for (DType t : {DType::F16, DType::Q8_0, DType::Q4_0}) {
      SaveOptions so;
      so.weights = t;
      auto bytes = save_model(*m.model, *m.tok, so);
      CHECK(bytes.size() < last);
      last = bytes.size();
      LoadedFile f = load_file(bytes.data(), bytes.size());
      f.model->forward(x.data(), nullptr, 1, int(x.size()));
      double worst = 0;
      for (size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, double(std::fabs(f.model->logits()[i] - ref[i])));
      INFO(dtype_name(t) << ": largest logit change " << worst);
      CHECK(worst < (t == DType::F16 ? 1e-3 : t == DType::Q8_0 ? 2e-2 : 0.2));
      const ParamTensor* exact =
          m.model->find_tensor(arch == std::string("gpt") ? "blk.0.ffn_up.bias" : "blk.0.ffn_norm.weight");
      CHECK(std::memcmp(f.model->params() + exact->offset, m.model->params() + exact->offset, exact->numel * 4) == 0);
      // The header records each tensor's dtype: matrices quantized, norms f32.
      std::string header(header_text(bytes.data(), bytes.size()));
      CHECK(header.find(std::string("\"dtype\":\"") + dtype_name(t) + "\"") != std::string::npos);
    }
  }
}

TEST_CASE("a checkpoint resumes training exactly as an unbroken run (gpt and llama)", "[format][resume]") {
  for (const char* arch : {"gpt", "llama"}) {
    INFO(arch);
    std::string text;
    Rng rng(3);
    const char* words[] = {"alpha ", "beta ", "gamma ", "delta\n"};
    for (int i = 0; i < 3000; ++i) text += words[rng.below(4)];
    auto tok = CharTokenizer::train(text);
    ModelConfig mc;
    mc.vocab_size = tok->vocab_size();
    mc.context_length = 16;
    mc.dim = 16;
    mc.layers = 1;
    mc.heads = 2;
    mc.kv_heads = arch == std::string("gpt") ? 2 : 1;
    mc.ffn_dim = 32;
    mc.arch = arch;
    mc.dropout = 0.1f;  // exercises the generator state too
    TrainConfig tc;
    tc.batch_size = 4;
    tc.seq_len = 16;
    tc.max_steps = 200;
    tc.schedule.warmup_steps = 20;
    tc.schedule.decay_steps = 200;
    tc.eval_batches = 2;
    tc.early_stop_patience = 50;
    TokenDataset data(tok->encode(text), 0.1f);

    std::vector<float> straight;
    {
      auto model_owner = Model::create(mc);
      Model& model = *model_owner;
      Trainer t(model, data, tc);
      for (int i = 0; i < 200; ++i) {
        straight.push_back(t.step().loss);
        if (i == 99) t.evaluate();
      }
    }
    std::vector<float> resumed;
    std::vector<uint8_t> ckpt;
    {
      auto model_owner = Model::create(mc);
      Model& model = *model_owner;
      Trainer t(model, data, tc);
      for (int i = 0; i < 100; ++i) resumed.push_back(t.step().loss);
      t.evaluate();
      ckpt = save_checkpoint(t, *tok);
    }
    LoadedFile f = load_file(ckpt.data(), ckpt.size());
    REQUIRE(f.checkpoint);
    CHECK(f.checkpoint->step == 100);
    auto t2 = resume_trainer(f, data);
    while (!t2->done()) resumed.push_back(t2->step().loss);
    REQUIRE(resumed.size() == straight.size());
    for (size_t i = 0; i < straight.size(); ++i) {
      INFO("step " << i + 1);
      CHECK(resumed[i] == straight[i]);  // bit-identical
    }
    // A plain model file cannot resume.
    auto model_bytes = save_model(*f.model, *f.tokenizer);
    LoadedFile plain = load_file(model_bytes.data(), model_bytes.size());
    CHECK_THROWS_AS(resume_trainer(plain, data), Error);
  }
}
