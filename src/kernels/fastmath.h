// fastmath.h: exp and tanh from basic float arithmetic only (Cody-Waite range reduction and a
// degree-6 polynomial, relative error < 2e-7 over the used range). Compilers vectorize loops
// that call them (unlike libm's expf/tanhf), and the simd128 kernels use the same formulas
// and constants (fastmath::k*) lane-wise, so scalar and SIMD builds agree bit for bit.
#pragma once
#include <cstdint>
#include <cstring>

namespace sllm {

namespace fastmath {
constexpr float kExpLo = -87.3f, kExpHi = 88.0f;            // input clamp of exp_approx
constexpr float kLog2e = 1.44269504088896341f;              // 1 / ln 2
constexpr float kRoundMagic = 12582912.0f;                  // 1.5 * 2^23
constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;  // ln 2 = kLn2Hi + kLn2Lo
constexpr float kExpP[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                            4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
constexpr float kTanhClamp = 9.0f;
}  // namespace fastmath

// e^x for x in [-87.3, 88] (clamped there: below gives ~1e-38, above ~1.65e38; NaN stays NaN).
inline float exp_approx(float x) {
  using namespace fastmath;
  x = x < kExpLo ? kExpLo : x;  // one select each: this form vectorizes (fmaxf does not)
  x = x > kExpHi ? kExpHi : x;
  // n = round(x / ln2) by the 1.5 * 2^23 trick (branch-free; no int conversion needed to round);
  // r = x - n ln2 in [-ln2/2, ln2/2], in two parts for accuracy.
  const float n = (x * kLog2e + kRoundMagic) - kRoundMagic;
  float r = x - n * kLn2Hi;
  r = r - n * kLn2Lo;
  // e^r by its Taylor-like minimax polynomial (Cephes expf coefficients).
  float p = kExpP[0];
  p = p * r + kExpP[1];
  p = p * r + kExpP[2];
  p = p * r + kExpP[3];
  p = p * r + kExpP[4];
  p = p * r + kExpP[5];
  p = p * r * r + r + 1.0f;
  // Scale by 2^n through the exponent bits (n is in [-126, 127] here; NaN input gives n = NaN,
  // mapped to 0 so the conversion is defined: p is NaN already and carries it to the result).
  // (wasm's saturating i32x4.trunc_sat_f32x4 maps NaN to 0 the same way, lane-wise.)
  const int32_t ni = n == n ? static_cast<int32_t>(n) : 0;
  const uint32_t bits = static_cast<uint32_t>(ni + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// tanh(x) = 1 - 2 / (e^{2x} + 1), saturating to +-1 beyond |x| = 9.
inline float tanh_approx(float x) {
  x = x < -fastmath::kTanhClamp ? -fastmath::kTanhClamp : x;
  x = x > fastmath::kTanhClamp ? fastmath::kTanhClamp : x;
  return 1.0f - 2.0f / (exp_approx(2.0f * x) + 1.0f);
}

}  // namespace sllm
