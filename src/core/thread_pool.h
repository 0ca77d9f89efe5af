// thread_pool.h: the core's one pool of worker threads and parallel_for, the only way kernels
// use it. The same code runs natively (std::thread) and in the wasm threads build (Emscripten
// pthreads); the single-threaded wasm builds compile it without threads (max_threads() == 1).
//
// Determinism: parallel_for splits a range into contiguous chunks by a pure function of (range
// length, grain, num_threads()); a kernel computes each output element inside exactly one chunk,
// in the same order as on one thread, so results are bit-identical for any thread count. Which
// thread runs which chunk does not matter (chunks are claimed dynamically, so a slow or not yet
// started thread never holds the others up).
#pragma once
#include <cstdint>
#include <type_traits>
#include <utility>

namespace sllm {

// Upper bound of set_num_threads() in builds with threads.
constexpr int kMaxThreads = 64;

// Sets how many threads kernels use, the calling thread included: starts or stops n - 1 workers.
// n is clamped to [1, max_threads()]. Call it from outside parallel regions (from inside one it
// throws Error(InvalidArgument)). The pool is global: one per process natively, one per module
// instance in wasm.
void set_num_threads(int n);
int num_threads();
// 1 in builds without threads, kMaxThreads otherwise.
int max_threads();
// Workers that have started running (<= num_threads() - 1). In wasm a worker starts only after
// its Web Worker loaded; until then the calling thread simply runs more chunks itself.
int started_workers();
// True on a thread that is running a chunk of a parallel region.
bool in_parallel_region();

// Least work (multiply-adds or the like) worth a chunk of its own: waking a thread costs
// microseconds. Kernels size their grains with work_grain.
constexpr int64_t kMinParallelWork = int64_t(1) << 16;
// Items per chunk so that each holds at least `least` work at `per_item` per item, rounded up
// to a multiple of `align` (whole tiles or SIMD vectors).
constexpr int64_t work_grain(int64_t per_item, int64_t align = 1, int64_t least = kMinParallelWork) {
  const int64_t items = least / (per_item > 0 ? per_item : 1) + 1;
  return (items + align - 1) / align * align;
}

// How parallel_for splits [0, n): the number of chunks and chunk i's bounds. Pure functions of
// (n, grain, threads): one chunk on one thread, else at most kChunksPerThread x threads chunks,
// each a whole number of grains except the last.
constexpr int kChunksPerThread = 4;
int64_t parallel_chunks(int64_t n, int64_t grain, int threads);
std::pair<int64_t, int64_t> parallel_chunk(int64_t n, int64_t grain, int64_t chunks, int64_t i);

namespace detail {
struct RangeFn {
  void* ctx;
  void (*call)(void* ctx, int64_t lo, int64_t hi);
};
// Runs fn over the chunks of [begin, end) on the pool (the caller takes part).
void run_parallel(int64_t begin, int64_t end, int64_t grain, int64_t chunks, RangeFn fn);
}  // namespace detail

// Calls fn(lo, hi) for each chunk of [begin, end) (see parallel_chunks), concurrently. Runs
// fn(begin, end) on the calling thread alone when the range is at most one grain, when one
// thread is set, or when called from inside a parallel region (nested regions run inline, so
// they cannot deadlock). fn must not throw (a C++ exception on a worker ends the program; in
// wasm, Emscripten 3.1.6 cannot even throw one on a pthread).
template <typename F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, F&& fn) {
  const int64_t n = end - begin;
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  const int threads = in_parallel_region() ? 1 : num_threads();
  const int64_t chunks = parallel_chunks(n, grain, threads);
  if (chunks <= 1) {
    fn(begin, end);
    return;
  }
  using Fn = std::remove_reference_t<F>;
  detail::run_parallel(begin, end, grain, chunks,
                       detail::RangeFn{const_cast<void*>(static_cast<const void*>(&fn)), [](void* ctx, int64_t lo, int64_t hi) {
                                         (*static_cast<Fn*>(ctx))(lo, hi);
                                       }});
}

}  // namespace sllm
