// dataset.cpp: see dataset.h.
#include "data/dataset.h"

#include <cmath>

#include "core/error.h"

namespace sllm {

TokenDataset::TokenDataset(std::vector<int32_t> tokens, float val_fraction) : tokens_(std::move(tokens)) {
  if (!(val_fraction >= 0.0f && val_fraction < 1.0f))
    fail(ErrorCode::Config, "validation fraction must be in [0, 1)");
  split_ = size_t(std::floor(double(tokens_.size()) * (1.0 - double(val_fraction))));
  if (split_ > tokens_.size()) split_ = tokens_.size();
}

void TokenDataset::check_fits(int T, bool need_val) const {
  size_t need = size_t(T) + 1;
  if (train_size() < need || (need_val && val_size() < need)) {
    std::string msg = "the corpus has " + std::to_string(tokens_.size()) + " tokens (" +
                      std::to_string(train_size()) + " for training, " + std::to_string(val_size()) +
                      " for validation); sequence length " + std::to_string(T) + " needs at least " +
                      std::to_string(need) + " in the training split";
    if (need_val) msg += " and in the validation split";
    msg += ". Use more text or a shorter sequence length.";
    fail(ErrorCode::Data, msg);
  }
}

void TokenDataset::fill(Rng& rng, size_t begin, size_t len, int B, int T, Batch& batch) const {
  batch.B = B;
  batch.T = T;
  batch.x.resize(size_t(B) * T);
  batch.y.resize(size_t(B) * T);
  // Offsets o with o + T < len, so that y = x shifted by one stays inside the split.
  auto range = uint32_t(len - size_t(T));
  for (int b = 0; b < B; ++b) {
    size_t o = begin + rng.below(range);
    for (int t = 0; t < T; ++t) {
      batch.x[size_t(b) * T + t] = tokens_[o + size_t(t)];
      batch.y[size_t(b) * T + t] = tokens_[o + size_t(t) + 1];
    }
  }
}

void TokenDataset::sample_train(Rng& rng, int B, int T, Batch& batch) const {
  check_fits(T, false);
  fill(rng, 0, train_size(), B, T, batch);
}

std::vector<Batch> TokenDataset::validation_batches(int n, int B, int T, uint64_t seed) const {
  check_fits(T, true);
  Rng rng(seed, 0x76616c6964ULL);  // its own stream: independent of training draws
  std::vector<Batch> out(size_t(n > 0 ? n : 0));
  for (auto& b : out) fill(rng, split_, val_size(), B, T, b);
  return out;
}

}  // namespace sllm
