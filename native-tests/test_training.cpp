// test_training.cpp: the training loop end to end on a small corpus: it learns, the same seed
// gives the same loss sequence, gradient accumulation and dropout work, early stopping
// triggers, and bad input (tiny corpus, bad config, unknown characters, NaN) gets a clear error.
#include <catch2/catch.hpp>
#include <cmath>
#include <tuple>

#include "core/error.h"
#include "generate/generator.h"
#include "test_util.h"
#include "tokenizer/char_tokenizer.h"
#include "train/trainer.h"

using namespace sllm;

namespace {

std::string corpus() {
  // A varied, repetitive made-up text (no shared data needed): easy to learn quickly.
  std::string s;
  const char* names[] = {"Ada", "Bo", "Cy", "Di"};
  const char* verbs[] = {"sees", "likes", "finds", "helps"};
  Rng rng(1);
  for (int i = 0; i < 600; ++i)
    s += std::string(names[rng.below(4)]) + " " + verbs[rng.below(4)] + " " + names[rng.below(4)] + ".\n";
  return s;
}

ModelConfig small_model(int vocab) {
  ModelConfig c;
  c.vocab_size = vocab;
  c.context_length = 32;
  c.dim = 32;
  c.layers = 2;
  c.heads = 2;
  c.kv_heads = 2;
  c.ffn_dim = 64;
  return c;
}

TrainConfig small_training(int steps) {
  TrainConfig t;
  t.batch_size = 8;
  t.seq_len = 32;
  t.max_steps = steps;
  t.schedule.lr = 3e-3f;
  t.schedule.min_lr = 3e-4f;
  t.schedule.warmup_steps = std::min(10, steps);
  t.schedule.decay_steps = steps;
  t.eval_batches = 4;
  return t;
}

std::vector<float> run(const TrainConfig& tc, int steps, float dropout = 0.0f) {
  std::string text = corpus();
  auto tok = CharTokenizer::train(text);
  ModelConfig mc = small_model(tok->vocab_size());
  mc.dropout = dropout;
  auto model_owner = Model::create(mc);
  Model& model = *model_owner;
  TokenDataset data(tok->encode(text), tc.val_fraction);
  Trainer trainer(model, data, tc);
  std::vector<float> losses;
  for (int i = 0; i < steps; ++i) losses.push_back(trainer.step().loss);
  return losses;
}

}  // namespace

TEST_CASE("training learns: loss falls well below its start and below the unigram entropy", "[train]") {
  std::string text = corpus();
  auto tok = CharTokenizer::train(text);
  auto model_owner = Model::create(small_model(tok->vocab_size()));
  Model& model = *model_owner;
  TokenDataset data(tok->encode(text), 0.1f);
  TrainConfig tc = small_training(150);
  Trainer trainer(model, data, tc);
  float first = trainer.step().loss;
  CHECK(first == Approx(std::log(double(tok->vocab_size()))).epsilon(0.1));  // starts near uniform
  EvalResult before = trainer.evaluate();
  while (!trainer.done()) trainer.step();
  EvalResult after = trainer.evaluate();
  CHECK(after.loss < 0.5f * before.loss);
  CHECK(after.perplexity == Approx(std::exp(after.loss)));
  CHECK(trainer.tokens_seen() == 150 * 8 * 32);
  SampleOptions so;
  so.temperature = 0;
  so.max_new_tokens = 40;
  std::string sample = generate_text(model, *tok, "Ada ", so);
  INFO(sample);
  CHECK(sample.find('.') != std::string::npos);  // it learned that sentences end
}

TEST_CASE("the same seed gives the same loss sequence; another seed does not", "[train]") {
  TrainConfig tc = small_training(20);
  auto a = run(tc, 20), b = run(tc, 20);
  CHECK(a == b);
  tc.seed = 99;
  auto c = run(tc, 20);
  CHECK(a != c);
  // Dropout draws from the same seeded generator: still reproducible.
  auto d1 = run(small_training(10), 10, 0.2f), d2 = run(small_training(10), 10, 0.2f);
  CHECK(d1 == d2);
  CHECK(d1 != run(small_training(10), 10, 0.0f));
}

TEST_CASE("gradient accumulation over micro-batches averages their losses and gradients", "[train]") {
  // Three micro-batches of 8 draw the same 24 sequences, in order, as one batch of 24: their
  // averaged loss and gradient must be that batch's (a sum instead of a mean would be 3x).
  std::string text = corpus();
  auto tok = CharTokenizer::train(text);
  TokenDataset data(tok->encode(text), 0.1f);
  auto first_step = [&](int batch, int accum) {
    auto model = Model::create(small_model(tok->vocab_size()));
    TrainConfig tc = small_training(5);
    tc.batch_size = batch;
    tc.grad_accum = accum;
    tc.grad_clip = 0;
    Trainer trainer(*model, data, tc);
    StepResult r = trainer.step();
    StepResult r2 = trainer.step();
    return std::make_tuple(r.loss, r.grad_norm, r2.loss);
  };
  auto [loss3, norm3, next3] = first_step(8, 3);
  auto [loss1, norm1, next1] = first_step(24, 1);
  CHECK(loss3 == Approx(loss1).epsilon(1e-5));
  CHECK(norm3 == Approx(norm1).epsilon(1e-4));
  CHECK(next3 == Approx(next1).epsilon(1e-4));  // the same update followed
}

TEST_CASE("evaluation in pieces gives evaluate()'s numbers bit for bit", "[train]") {
  std::string text = corpus();
  auto tok = CharTokenizer::train(text);
  auto model_owner = Model::create(small_model(tok->vocab_size()));
  Model& model = *model_owner;
  TokenDataset data(tok->encode(text), 0.1f);
  Trainer trainer(model, data, small_training(10));
  for (int i = 0; i < 3; ++i) trainer.step();
  const size_t n = trainer.eval_batches();
  CHECK(n == size_t(trainer.config().eval_batches));
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += trainer.eval_batch(i);
  EvalResult pieces = trainer.finish_eval(sum), whole = trainer.evaluate();
  // An independent computation: the dataset's fixed validation batches through the forward pass.
  const TrainConfig& tc = trainer.config();
  double direct = 0;
  for (const Batch& b : data.validation_batches(tc.eval_batches, tc.batch_size, tc.seq_len, 0x5eed))
    direct += model.forward(b.x.data(), b.y.data(), b.B, b.T);
  CHECK(pieces.loss == float(direct / double(n)));
  CHECK(pieces.loss == whole.loss);
  CHECK(pieces.perplexity == whole.perplexity);
  CHECK_THROWS_AS(trainer.eval_batch(n), Error);
}

TEST_CASE("early stopping after evaluations without improvement", "[train]") {
  std::string text = corpus();
  auto tok = CharTokenizer::train(text);
  auto model_owner = Model::create(small_model(tok->vocab_size()));
  Model& model = *model_owner;
  TokenDataset data(tok->encode(text), 0.1f);
  TrainConfig tc = small_training(1000);
  tc.schedule.kind = "constant";
  tc.schedule.lr = 1e-9f;  // effectively frozen: validation loss cannot improve
  tc.schedule.min_lr = 0;
  tc.early_stop_patience = 2;
  tc.early_stop_min_delta = 1e-3f;
  Trainer trainer(model, data, tc);
  trainer.step();
  trainer.evaluate();  // sets the best
  CHECK_FALSE(trainer.done());
  trainer.step();
  trainer.evaluate();
  CHECK_FALSE(trainer.done());
  trainer.step();
  trainer.evaluate();
  CHECK(trainer.early_stopped());
  CHECK(trainer.done());
}

TEST_CASE("bad input gets a clear error, not a crash", "[train][errors]") {
  auto message_of = [](auto&& fn) -> std::string {
    try {
      fn();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  // Empty and one-character corpora.
  CHECK_THAT(message_of([] { CharTokenizer::train(""); }), Catch::Contains("empty"));
  {
    auto tok = CharTokenizer::train("x");
    auto model_owner = Model::create(small_model(tok->vocab_size()));
    Model& model = *model_owner;
    TokenDataset data(tok->encode("x"), 0.1f);
    std::string m = message_of([&] { Trainer t(model, data, small_training(5)); });
    CHECK_THAT(m, Catch::Contains("the corpus has 1 tokens"));
    CHECK_THAT(m, Catch::Contains("sequence length 32"));
  }
  // dim not divisible by heads, and a sequence longer than the context.
  ModelConfig mc = small_model(10);
  mc.heads = 5;
  mc.kv_heads = 5;
  CHECK_THAT(message_of([&] { mc.validate(); }), Catch::Contains("dim 32 is not divisible by heads 5"));
  CHECK_THAT(message_of([] { preset("huge"); }), Catch::Contains("unknown preset"));
  {
    std::string text = corpus();
    auto tok = CharTokenizer::train(text);
    auto model_owner = Model::create(small_model(tok->vocab_size()));
    Model& model = *model_owner;
    TokenDataset data(tok->encode(text), 0.1f);
    TrainConfig tc = small_training(5);
    tc.seq_len = 64;
    CHECK_THAT(message_of([&] { Trainer t(model, data, tc); }),
               Catch::Contains("sequence length 64 is over the model's context length 32"));
    // A prompt with characters the tokenizer does not know: a clear error without [UNK] ...
    SampleOptions so;
    so.max_new_tokens = 3;
    CHECK_THAT(message_of([&] { generate_text(model, *tok, "Zoë", so); }),
               Catch::Contains("'Z' (U+005A) is not in this tokenizer's vocabulary"));
    // ... and [UNK] when the vocabulary has it.
    CharTokenizerOptions opts;
    opts.unk = true;
    auto tok_unk = CharTokenizer::train(text, opts);
    auto ids = tok_unk->encode("Zoë");
    CHECK(ids[0] == tok_unk->special().unk);
  }
  // NaN in the loss stops training with an error naming the step.
  {
    std::string text = corpus();
    auto tok = CharTokenizer::train(text);
    auto model_owner = Model::create(small_model(tok->vocab_size()));
    Model& model = *model_owner;
    TokenDataset data(tok->encode(text), 0.1f);
    Trainer trainer(model, data, small_training(10));
    trainer.step();
    trainer.step();
    model.params()[5] = std::nanf("");
    std::string m = message_of([&] { trainer.step(); });
    CHECK_THAT(m, Catch::Contains("NaN at step 3"));
  }
}

TEST_CASE("the trainer's schedule evaluates every eval_interval steps and after the last", "[train]") {
  std::string text = corpus();
  auto tok = CharTokenizer::train(text);
  TokenDataset data(tok->encode(text), 0.1f);
  for (int interval : {0, 4}) {
    auto model = Model::create(small_model(tok->vocab_size()));
    auto model2 = Model::create(small_model(tok->vocab_size()));
    TrainConfig tc = small_training(10);
    tc.eval_interval = interval;
    tc.eval_batches = 2;
    Trainer trainer(*model, data, tc), pieces_trainer(*model2, data, tc);
    std::vector<int64_t> evaluated;
    StepResult r;
    while (!trainer.done()) {
      r = trainer.step();
      if (r.evaluated) evaluated.push_back(r.step);
      CHECK(r.done == trainer.done());
    }
    INFO("eval_interval " << interval);
    CHECK(evaluated == (interval ? std::vector<int64_t>{4, 8, 10} : std::vector<int64_t>{10}));
    CHECK(r.done);
    CHECK(r.val_loss == trainer.best_val_loss());
    // advance() does the same work a step or a validation batch at a time.
    int calls = 0, results = 0;
    while (!pieces_trainer.done()) {
      ++calls;
      if (auto p = pieces_trainer.advance()) ++results;
    }
    CHECK(results == 10);
    CHECK(calls == 10 + int(evaluated.size()) * 2);
  }
}

TEST_CASE("training options from JSON: defaults, overrides and typos", "[train]") {
  TrainConfig tc = TrainConfig::from_json(Json::parse(R"({"batch_size": 4, "lr": 0.01, "max_steps": 300})"));
  CHECK(tc.batch_size == 4);
  CHECK(tc.schedule.lr == Approx(0.01f));
  CHECK(tc.schedule.decay_steps == 300);  // follows max_steps unless given
  CHECK_THROWS_AS(TrainConfig::from_json(Json::parse(R"({"learning_rate": 0.01})")), Error);
  CHECK_THROWS_AS(TrainConfig::from_json(Json::parse(R"({"batch_size": 0})")), Error);
  TrainConfig round = TrainConfig::from_json(tc.to_json());
  CHECK(round.to_json().dump() == tc.to_json().dump());
  for (const auto& name : preset_names()) {
    Json p = preset_json(name);
    ModelConfig m = ModelConfig::from_json(p.get("model", Json::Type::Object));
    TrainConfig t = TrainConfig::from_json(p.get("training", Json::Type::Object));
    CHECK_NOTHROW(t.validate(m));
  }
  CHECK(preset("small").dim == 128);
  CHECK(preset("small").vocab_size == 5000);
  CHECK(preset("small").context_length == 256);
}
