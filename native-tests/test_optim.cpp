// test_optim.cpp: AdamW against hand-computed numbers, gradient clipping, and the learning-rate
// schedules at chosen steps.
#include <catch2/catch.hpp>
#include <cmath>

#include "core/error.h"
#include "optim/adamw.h"
#include "optim/schedule.h"

using namespace sllm;

TEST_CASE("AdamW: two steps match hand-computed values, decay only on 2-D tensors", "[optim]") {
  // Two tensors of two values each: one 2-D (decayed), one 1-D (not).
  std::vector<ParamTensor> tensors = {{"w", {1, 2}, 0, 2, true}, {"b", {2}, 2, 2, false}};
  std::vector<float> p = {1.0f, -2.0f, 1.0f, -2.0f};
  AdamWConfig cfg;
  cfg.beta1 = 0.9f;
  cfg.beta2 = 0.99f;
  cfg.eps = 1e-8f;
  cfg.weight_decay = 0.1f;
  AdamW opt(4, cfg);
  // Step 1, g = (0.5, -0.1): m = 0.1 g, v = 0.01 g^2, bias-corrected m/sqrt(v) = sign(g), so each
  // value moves by lr = 0.1; the decayed tensor first shrinks by (1 - lr*wd) = 0.99.
  std::vector<float> g1 = {0.5f, -0.1f, 0.5f, -0.1f};
  opt.step(p.data(), g1.data(), tensors, 0.1f);
  CHECK(p[0] == Approx(0.89).epsilon(1e-6));
  CHECK(p[1] == Approx(-1.88).epsilon(1e-6));
  CHECK(p[2] == Approx(0.90).epsilon(1e-6));
  CHECK(p[3] == Approx(-1.90).epsilon(1e-6));
  // Step 2, g = (-0.2, 0.3): m = (0.025, 0.021), v = (0.002875, 0.000999), bc1 = 0.19,
  // bc2 = 0.0199 (values worked out by hand; see the comment above for the formulas).
  std::vector<float> g2 = {-0.2f, 0.3f, -0.2f, 0.3f};
  opt.step(p.data(), g2.data(), tensors, 0.1f);
  CHECK(p[0] == Approx(0.8464826).epsilon(1e-6));
  CHECK(p[1] == Approx(-1.9105298).epsilon(1e-6));
  CHECK(p[2] == Approx(0.8653826).epsilon(1e-6));
  CHECK(p[3] == Approx(-1.9493298).epsilon(1e-6));
  CHECK(opt.t() == 2);
  CHECK(opt.m()[0] == Approx(0.025f));
  CHECK(opt.v()[1] == Approx(0.000999f));
}

TEST_CASE("global-norm clipping scales gradients down to the limit only", "[optim]") {
  std::vector<float> g = {3.0f, 4.0f};  // norm 5
  float norm = clip_grad_norm(g.data(), 2, 1.0f);
  CHECK(norm == Approx(5.0f));
  CHECK(std::sqrt(g[0] * g[0] + g[1] * g[1]) == Approx(1.0f).epsilon(1e-5));
  CHECK(g[0] / g[1] == Approx(0.75f));
  std::vector<float> small = {0.3f, 0.4f};
  clip_grad_norm(small.data(), 2, 1.0f);
  CHECK(small[0] == 0.3f);
  std::vector<float> off = {30.0f, 40.0f};
  clip_grad_norm(off.data(), 2, 0.0f);  // 0 = no clipping
  CHECK(off[1] == 40.0f);
}

TEST_CASE("learning-rate schedules hit their documented values", "[optim][schedule]") {
  Schedule s;
  s.kind = "cosine";
  s.lr = 1e-3f;
  s.min_lr = 1e-4f;
  s.warmup_steps = 100;
  s.decay_steps = 2000;
  CHECK(s.at(0) == Approx(1e-3 / 101));          // warmup: lr (s+1)/(warmup+1)
  CHECK(s.at(49) == Approx(1e-3 * 50 / 101));
  CHECK(s.at(99) == Approx(1e-3 * 100 / 101));
  CHECK(s.at(100) == Approx(1e-3));               // peak
  CHECK(s.at(1050) == Approx(5.5e-4));            // halfway: the mean of peak and floor
  CHECK(s.at(575) == Approx(1e-4 + 0.5 * (1 + std::cos(M_PI * 0.25)) * 9e-4));
  CHECK(s.at(2000) == Approx(1e-4));
  CHECK(s.at(5000) == Approx(1e-4));              // floor after decay
  s.kind = "linear";
  CHECK(s.at(100) == Approx(1e-3));
  CHECK(s.at(575) == Approx(7.75e-4));
  CHECK(s.at(1050) == Approx(5.5e-4));
  CHECK(s.at(2000) == Approx(1e-4));
  CHECK(s.at(2500) == Approx(1e-4));
  s.kind = "constant";
  s.warmup_steps = 0;
  CHECK(s.at(0) == Approx(1e-3));
  CHECK(s.at(100000) == Approx(1e-3));
  Schedule bad = s;
  bad.kind = "exponential";
  CHECK_THROWS_AS(bad.validate(), Error);
  bad = s;
  bad.min_lr = 1.0f;
  CHECK_THROWS_AS(bad.validate(), Error);
}
