// crossentropy.cpp: softmax over the vocabulary fused with cross-entropy, in place on logits.
#include <cmath>

#include "kernels/fastmath.h"
#include "kernels/kernels.h"

namespace sllm {

double crossentropy_forward_ref(float* probs, float* losses, const int32_t* targets, int N, int V) {
  double total = 0.0;
  for (int i = 0; i < N; ++i) {
    float* p = probs + size_t(i) * V;
    const float target_logit = p[targets[i]];
    float mx = p[0];
    for (int v = 1; v < V; ++v) mx = std::fmax(mx, p[v]);
    float sum = 0.0f;
    for (int v = 0; v < V; ++v) {
      p[v] = exp_approx(p[v] - mx);
      sum += p[v];
    }
    float inv = 1.0f / sum;
    for (int v = 0; v < V; ++v) p[v] *= inv;
    // -log softmax[target] = max + log(sum) - logit[target], exact even when p underflows.
    float loss = mx + std::log(sum) - target_logit;
    losses[i] = loss;
    total += loss;
  }
  return total;
}

void crossentropy_backward_ref(float* probs, const int32_t* targets, int N, int V, float dloss) {
  for (int i = 0; i < N; ++i) {
    float* p = probs + size_t(i) * V;
    for (int v = 0; v < V; ++v) p[v] *= dloss;
    p[targets[i]] -= dloss;
  }
}

}  // namespace sllm
