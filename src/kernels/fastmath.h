// fastmath.h: exp and tanh from basic float arithmetic only (Cody-Waite range reduction and a
// degree-6 polynomial, relative error < 2e-7 over the used range). Compilers vectorize loops
// that call them (unlike libm's expf/tanhf), and the simd128 kernels use the same formulas
// lane-wise, so scalar and SIMD builds agree closely.
#pragma once
#include <cstdint>
#include <cstring>

namespace sllm {

// e^x for x in [-87.3, 88.37] (clamped there: below gives ~1.2e-38, above ~2.4e38). The upper
// bound keeps n = round(x / ln2) <= 127; beyond 127.5 ln2 = 88.376, 2^n would be infinite.
inline float exp_approx(float x) {
  x = x < -87.3f ? -87.3f : x;  // one select each: this form vectorizes (fmaxf does not)
  x = x > 88.37f ? 88.37f : x;
  // n = round(x / ln2) by the 1.5 * 2^23 trick (branch-free; no int conversion needed to round);
  // r = x - n ln2 in [-ln2/2, ln2/2], in two parts for accuracy.
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  // e^r by its Taylor-like minimax polynomial (Cephes expf coefficients).
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // Scale by 2^n through the exponent bits.
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// tanh(x) = 1 - 2 / (e^{2x} + 1), saturating to +-1 beyond |x| = 9.
inline float tanh_approx(float x) {
  x = x < -9.0f ? -9.0f : x;
  x = x > 9.0f ? 9.0f : x;
  return 1.0f - 2.0f / (exp_approx(2.0f * x) + 1.0f);
}

}  // namespace sllm
