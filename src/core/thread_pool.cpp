// thread_pool.cpp: the worker pool behind parallel_for (see thread_pool.h).
//
// One job at a time. The caller publishes a job (function, chunk count) under a new generation
// number in one atomic word, state = generation << 32 | chunks << 16 | next chunk, and then
// claims chunks itself like any worker: a chunk is claimed by a compare-and-swap that checks the
// generation, so a worker that wakes late can never run a chunk of a later job. Idle workers spin
// for a short while (parallel regions come in quick succession within a training step), then
// sleep on a condition variable; the caller wakes them only when some are asleep.
#include "core/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"

#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
#define SLLM_HAVE_THREADS 0  // the single-threaded wasm builds: no pthreads
#else
#define SLLM_HAVE_THREADS 1
#endif

namespace sllm {

int64_t parallel_chunks(int64_t n, int64_t grain, int threads) {
  if (n <= 0) return 0;
  if (grain < 1) grain = 1;
  const int64_t units = (n + grain - 1) / grain;
  // Several chunks per thread: on a busy machine a thread the OS has descheduled then holds up
  // only one small chunk while the others take the rest.
  const int64_t most = threads > 1 ? int64_t(threads) * kChunksPerThread : 1;
  return std::max<int64_t>(1, std::min(units, most));
}

std::pair<int64_t, int64_t> parallel_chunk(int64_t n, int64_t grain, int64_t chunks, int64_t i) {
  if (grain < 1) grain = 1;
  const int64_t units = (n + grain - 1) / grain;
  const int64_t lo = units * i / chunks * grain, hi = units * (i + 1) / chunks * grain;
  return {std::min(lo, n), std::min(hi, n)};
}

namespace {

thread_local bool tls_in_region = false;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// How long an idle worker (or a caller waiting for the last chunks) spins before sleeping.
constexpr auto kSpin = std::chrono::microseconds(200);

constexpr uint64_t pack(uint32_t gen, uint32_t chunks, uint32_t next) {
  return uint64_t(gen) << 32 | uint64_t(chunks) << 16 | next;
}
constexpr uint32_t gen_of(uint64_t s) { return uint32_t(s >> 32); }
constexpr uint32_t chunks_of(uint64_t s) { return uint32_t(s >> 16) & 0xffff; }
constexpr uint32_t next_of(uint64_t s) { return uint32_t(s) & 0xffff; }

// Spins until done() or kSpin has passed; returns done(). After a short busy spell it yields
// between checks, so on a busy machine the thread the OS would rather run (often our own
// caller, doing the serial work between regions) gets the core.
template <typename Done>
bool spin_until(Done done) {
  for (int i = 0; i < 1024; ++i) {
    if (done()) return true;
    cpu_relax();
  }
  const auto until = std::chrono::steady_clock::now() + kSpin;
  for (;;) {
    for (int i = 0; i < 16; ++i) {
      if (done()) return true;
      std::this_thread::yield();
    }
    if (std::chrono::steady_clock::now() >= until) return done();
  }
}

class Pool {
 public:
  ~Pool() { resize(1); }

  int threads() const { return threads_.load(std::memory_order_relaxed); }
  int started() const { return started_.load(); }

  void resize(int n) {
    n = std::clamp(n, 1, max_threads());
    lock_busy();
    if (n != threads()) {
      stop_workers();
#if SLLM_HAVE_THREADS
      const uint32_t gen = gen_of(state_.load());
      for (int i = 1; i < n; ++i) workers_.emplace_back([this, gen] { worker(gen); });
#endif
      threads_.store(n);
    }
    busy_.store(false, std::memory_order_release);
  }

  void run(int64_t begin, int64_t end, int64_t grain, int64_t chunks, detail::RangeFn fn) {
    const int64_t n = end - begin;
    if (busy_.exchange(true, std::memory_order_acquire)) {
      // Another thread is using the pool (two callers at once): run here, in order.
      run_inline(begin, n, grain, chunks, fn);
      return;
    }
    begin_ = begin;
    n_ = n;
    grain_ = grain;
    fn_ = fn;
    pending_.store(int(chunks), std::memory_order_relaxed);
    const uint32_t gen = gen_of(state_.load(std::memory_order_relaxed)) + 1;
    state_.store(pack(gen, uint32_t(chunks), 0));  // seq_cst: publishes the job, then check sleepers
    if (sleepers_.load() > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      work_cv_.notify_all();
    }
    tls_in_region = true;
    work(gen);
    tls_in_region = false;
    if (!spin_until([&] { return pending_.load(std::memory_order_acquire) == 0; })) {
      caller_waiting_.store(true);
      std::unique_lock<std::mutex> lock(mutex_);
      done_cv_.wait(lock, [&] { return pending_.load() == 0; });
      caller_waiting_.store(false);
    }
    busy_.store(false, std::memory_order_release);
  }

 private:
  void lock_busy() {
    while (busy_.exchange(true, std::memory_order_acquire)) std::this_thread::yield();
  }

  static void run_inline(int64_t begin, int64_t n, int64_t grain, int64_t chunks, detail::RangeFn fn) {
    const bool outer = tls_in_region;
    tls_in_region = true;
    for (int64_t i = 0; i < chunks; ++i) {
      auto [lo, hi] = parallel_chunk(n, grain, chunks, i);
      fn.call(fn.ctx, begin + lo, begin + hi);
    }
    tls_in_region = outer;
  }

  // Claims and runs chunks of job `gen` until none is left.
  void work(uint32_t gen) {
    uint64_t s = state_.load(std::memory_order_acquire);
    for (;;) {
      if (gen_of(s) != gen || next_of(s) >= chunks_of(s)) return;
      if (!state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      // The chunk is ours: the job cannot finish (nor its fields change) before we are done.
      auto [lo, hi] = parallel_chunk(n_, grain_, chunks_of(s), next_of(s));
      fn_.call(fn_.ctx, begin_ + lo, begin_ + hi);
      if (pending_.fetch_sub(1) == 1 && caller_waiting_.load()) {
        std::lock_guard<std::mutex> lock(mutex_);
        done_cv_.notify_all();
      }
      s = state_.load(std::memory_order_acquire);
    }
  }

  void worker(uint32_t seen) {
    tls_in_region = true;
    started_.fetch_add(1);
    for (;;) {
      auto ready = [&] { return stop_.load(std::memory_order_relaxed) || gen_of(state_.load(std::memory_order_acquire)) != seen; };
      if (!spin_until(ready)) {
        std::unique_lock<std::mutex> lock(mutex_);
        sleepers_.fetch_add(1);
        work_cv_.wait(lock, [&] { return stop_.load() || gen_of(state_.load()) != seen; });
        sleepers_.fetch_sub(1);
      }
      if (stop_.load()) break;
      seen = gen_of(state_.load(std::memory_order_acquire));
      work(seen);
    }
    started_.fetch_sub(1);
  }

  void stop_workers() {
    if (workers_.empty()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_.store(true);
      work_cv_.notify_all();
    }
    for (auto& t : workers_) t.join();
    workers_.clear();
    stop_.store(false);
  }

  std::atomic<uint64_t> state_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<int> started_{0};
  std::atomic<int> threads_{1};
  std::atomic<bool> stop_{false};
  std::atomic<bool> caller_waiting_{false};
  std::atomic<bool> busy_{false};
  // The current job; written by the caller before it publishes the job's generation.
  int64_t begin_ = 0, n_ = 0, grain_ = 1;
  detail::RangeFn fn_{nullptr, nullptr};
  std::mutex mutex_;
  std::condition_variable work_cv_, done_cv_;
  std::vector<std::thread> workers_;
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

int max_threads() { return SLLM_HAVE_THREADS ? kMaxThreads : 1; }

void set_num_threads(int n) {
  if (tls_in_region) fail(ErrorCode::InvalidArgument, "set_num_threads cannot be called from inside a parallel region");
  pool().resize(n);
}

int num_threads() { return pool().threads(); }
int started_workers() { return pool().started(); }
bool in_parallel_region() { return tls_in_region; }

namespace detail {
void run_parallel(int64_t begin, int64_t end, int64_t grain, int64_t chunks, RangeFn fn) {
  pool().run(begin, end, grain, chunks, fn);
}
}  // namespace detail

}  // namespace sllm
