// test_thread_pool.cpp: the thread pool (src/core/thread_pool.h): its split is a partition of
// the range that depends only on (length, grain, threads); parallel_for runs every index exactly
// once on every thread count; nested regions and two callers at once run without deadlock;
// resizing starts and stops workers. Also built into the wasm threads test executable, where
// the workers are Emscripten pthreads.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"

using namespace sllm;

namespace {
// Restores one thread when a test ends, whatever it set.
struct Threads {
  explicit Threads(int n) { set_num_threads(n); }
  ~Threads() { set_num_threads(1); }
};

// Waits (up to 10 s) until every worker runs: in wasm they start asynchronously.
void wait_started(int n) {
  for (int i = 0; i < 10000 && started_workers() < n - 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  REQUIRE(started_workers() == n - 1);
}
}  // namespace

TEST_CASE("parallel_chunk partitions the range into a few chunks per thread, of whole grains", "[threads]") {
  for (int64_t n : {1, 2, 7, 16, 17, 100, 1000, 4097})
    for (int64_t grain : {1, 3, 16, 64, 5000})
      for (int threads : {1, 2, 3, 4, 7, 64}) {
        INFO("n " << n << " grain " << grain << " threads " << threads);
        const int64_t chunks = parallel_chunks(n, grain, threads);
        REQUIRE(chunks >= 1);
        REQUIRE(chunks <= (threads > 1 ? threads * kChunksPerThread : 1));
        REQUIRE(chunks <= (n + grain - 1) / grain);
        int64_t expect = 0;
        for (int64_t i = 0; i < chunks; ++i) {
          auto [lo, hi] = parallel_chunk(n, grain, chunks, i);
          REQUIRE(lo == expect);
          REQUIRE(hi > lo);
          if (hi < n) REQUIRE(hi % grain == 0);
          expect = hi;
        }
        REQUIRE(expect == n);
      }
  CHECK(parallel_chunks(0, 4, 4) == 0);
}

TEST_CASE("parallel_for runs every index exactly once, on any thread count", "[threads]") {
  for (int threads : {1, 2, 3, 4, 8}) {
    Threads t(threads);
    REQUIRE(num_threads() == std::min(threads, max_threads()));
    for (int64_t n : {1, 5, 64, 1000, 100003})
      for (int64_t grain : {1, 7, 256}) {
        std::vector<std::atomic<int>> hits(size_t(n) + 10);
        for (auto& h : hits) h = 0;
        std::atomic<int> calls{0};
        parallel_for(10, n + 10, grain, [&](int64_t lo, int64_t hi) {
          ++calls;
          for (int64_t i = lo; i < hi; ++i) ++hits[size_t(i)];
        });
        INFO("threads " << threads << " n " << n << " grain " << grain);
        for (int64_t i = 0; i < 10; ++i) REQUIRE(hits[size_t(i)] == 0);
        for (int64_t i = 10; i < n + 10; ++i) REQUIRE(hits[size_t(i)] == 1);
        REQUIRE(calls == parallel_chunks(n, grain, num_threads()));
      }
  }
}

TEST_CASE("the workers start, run chunks and stop when the pool shrinks", "[threads]") {
  if (max_threads() == 1) {
    set_num_threads(4);
    CHECK(num_threads() == 1);
    return;
  }
  for (int n : {4, 2, 3, 1, 4}) {
    set_num_threads(n);
    wait_started(n);
    // With every worker running, a job of many slow chunks is shared among the threads.
    std::vector<std::thread::id> ran(static_cast<size_t>(n));
    parallel_for(0, n, 1, [&](int64_t lo, int64_t) {
      ran[size_t(lo)] = std::this_thread::get_id();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    });
    std::vector<std::thread::id> distinct;
    for (auto id : ran)
      if (std::find(distinct.begin(), distinct.end(), id) == distinct.end()) distinct.push_back(id);
    CHECK(distinct.size() >= size_t(std::min(n, 2)));
  }
  set_num_threads(1);
  CHECK(started_workers() == 0);
}

TEST_CASE("a parallel region entered from inside one runs inline, without deadlock", "[threads]") {
  Threads t(3);
  std::atomic<int64_t> sum{0};
  std::atomic<int> inner_calls{0};
  std::atomic<int> outside{0};  // (Catch2's assertions are for the test's own thread only)
  parallel_for(0, 30, 1, [&](int64_t lo, int64_t hi) {
    if (!in_parallel_region()) ++outside;
    for (int64_t i = lo; i < hi; ++i)
      parallel_for(0, 100, 1, [&](int64_t a, int64_t b) {
        ++inner_calls;
        for (int64_t j = a; j < b; ++j) sum += j;
      });
  });
  CHECK(outside == 0);
  CHECK(!in_parallel_region());
  CHECK(sum == 30 * 4950);
  CHECK(inner_calls == 30);  // each inner region is one inline call
  // Resizing the pool from inside a region is refused with an error. (Tried on the calling
  // thread only: in wasm, Emscripten 3.1.6 cannot throw C++ exceptions on a pthread, which is
  // also why chunks must not throw.)
  const auto caller = std::this_thread::get_id();
  std::atomic<int> tried{0}, refused{0};
  parallel_for(0, 64, 1, [&](int64_t, int64_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (std::this_thread::get_id() != caller) return;
    ++tried;
    try {
      set_num_threads(2);
    } catch (const Error&) {
      ++refused;
    }
  });
  CHECK(tried > 0);
  CHECK(refused == tried);
  CHECK(num_threads() == 3);
}

TEST_CASE("two threads using the pool at once both get complete, correct results", "[threads]") {
  Threads t(3);
  auto job = [](int64_t salt) {
    std::vector<int64_t> out(5000);
    for (int rep = 0; rep < 200; ++rep)
      parallel_for(0, int64_t(out.size()), 64, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) out[size_t(i)] = i * salt + rep;
      });
    for (size_t i = 0; i < out.size(); ++i)
      if (out[i] != int64_t(i) * salt + 199) return false;
    return true;
  };
  bool a = false, b = false;
  std::thread other([&] { b = job(7); });
  a = job(3);
  other.join();
  CHECK(a);
  CHECK(b);
}
