// dataset.h: a tokenized corpus split into training and validation parts, random training
// batches from a seeded generator, and a fixed set of validation batches for evaluation.
#pragma once
#include <cstdint>
#include <vector>

#include "core/rng.h"

namespace sllm {

// A batch of B sequences of T tokens (x) and their next tokens (y), both (B, T).
struct Batch {
  int B = 0, T = 0;
  std::vector<int32_t> x, y;
};

class TokenDataset {
 public:
  // The first (1 - val_fraction) of tokens train, the rest validate (val_fraction may be 0).
  TokenDataset(std::vector<int32_t> tokens, float val_fraction);

  size_t size() const { return tokens_.size(); }
  size_t train_size() const { return split_; }
  size_t val_size() const { return tokens_.size() - split_; }
  const std::vector<int32_t>& tokens() const { return tokens_; }

  // Throws Error(Data) with a clear message unless each split used has at least T + 1 tokens.
  void check_fits(int T, bool need_val) const;

  // Fills batch with B windows at uniformly random offsets of the training split.
  void sample_train(Rng& rng, int B, int T, Batch& batch) const;

  // n validation batches at offsets drawn from a generator seeded with `seed`: the same batches
  // every time for the same arguments.
  std::vector<Batch> validation_batches(int n, int B, int T, uint64_t seed) const;

 private:
  void fill(Rng& rng, size_t begin, size_t len, int B, int T, Batch& batch) const;
  std::vector<int32_t> tokens_;
  size_t split_ = 0;
};

}  // namespace sllm
