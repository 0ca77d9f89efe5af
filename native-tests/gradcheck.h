// gradcheck.h: central finite differences against analytic gradients, for the kernel and
// model gradient tests. Objectives are accumulated in double; the tolerance (1% of the larger
// value plus 0.1% of the tensor's largest gradient, plus what one ulp of the objective's float
// value is in the difference quotient) catches a wrong sign or a missing term while allowing
// float32 rounding.
#pragma once
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace sllm::test {

struct GradCheckResult {
  double max_abs_err = 0, max_grad = 0;
  size_t checked = 0, failures = 0;
};

// x: the values the objective reads (perturbed in place and restored); grad: analytic
// d(objective)/dx; indices: which entries to check (all when empty).
inline GradCheckResult check_grad(const std::string& what, float* x, const float* grad, size_t n,
                                  const std::function<double()>& objective, float eps = 1e-2f,
                                  std::vector<size_t> indices = {}) {
  GradCheckResult r;
  for (size_t i = 0; i < n; ++i) r.max_grad = std::max(r.max_grad, double(std::fabs(grad[i])));
  if (indices.empty())
    for (size_t i = 0; i < n; ++i) indices.push_back(i);
  for (size_t i : indices) {
    const float saved = x[i];
    x[i] = saved + eps;
    double up = objective();
    x[i] = saved - eps;
    double down = objective();
    x[i] = saved;
    double fd = (up - down) / (2.0 * double(eps));
    double an = grad[i];
    double err = std::fabs(fd - an);
    r.max_abs_err = std::max(r.max_abs_err, err);
    ++r.checked;
    // The objectives are float computations: their difference resolves no better than one ulp
    // of their value (for a loss of 3 and eps 2e-3, about 6e-5 in the gradient).
    const float big = float(std::max(std::fabs(up), std::fabs(down)));
    const double resolution = double(std::nextafter(big, INFINITY) - big) / (2.0 * double(eps));
    if (err > 1e-2 * std::max(std::fabs(fd), std::fabs(an)) + 1e-3 * r.max_grad + resolution + 1e-6) {
      if (r.failures < 3)
        std::printf("  %s[%zu]: finite difference %.6g, analytic %.6g\n", what.c_str(), i, fd, an);
      ++r.failures;
    }
  }
  INFO(what << ": " << r.failures << " of " << r.checked << " entries off; max abs err " << r.max_abs_err
            << ", max |grad| " << r.max_grad);
  CHECK(r.failures == 0);
  CHECK(r.max_grad > 0);  // a check of an all-zero gradient proves nothing
  return r;
}

// sum_i r[i] * y[i] in double: the objective whose gradient with respect to y is r.
inline double dot(const std::vector<float>& r, const float* y) {
  double s = 0;
  for (size_t i = 0; i < r.size(); ++i) s += double(r[i]) * double(y[i]);
  return s;
}

}  // namespace sllm::test
