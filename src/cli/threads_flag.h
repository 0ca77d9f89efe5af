// threads_flag.h: the native tools' --threads N: how many threads the kernels use (the thread
// pool of src/core/thread_pool.h). Default: the logical processors, at most 8. Any count gives
// the same numbers, bit for bit.
#pragma once
#include <algorithm>
#include <string>
#include <thread>

#include "cli/args.h"
#include "core/thread_pool.h"

namespace sllm::cli {

inline constexpr const char* kThreadsUsage =
    "  --threads N        threads for the kernels (default: the logical processors, at most 8;\n"
    "                     the results are the same for any N)\n";

// Reads --threads (1 to kMaxThreads), sets the pool and returns the count.
inline int apply_threads_flag(const Args& args) {
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  const long long n = args.integer("threads", std::min(cores, 8));
  if (n < 1 || n > kMaxThreads) Args::die("--threads must be from 1 to " + std::to_string(kMaxThreads));
  set_num_threads(int(n));
  return num_threads();
}

}  // namespace sllm::cli
