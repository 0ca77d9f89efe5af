// thread_bindings.cpp: the thread pool seen from JavaScript. The package sets the thread count
// once, right after instantiating a module (setThreads), and waits until startedWorkers()
// reaches threads() - 1 before using the engine (in wasm a worker runs only once its Web
// Worker has loaded). Builds without threads report maxThreads() == 1.
#include <emscripten/bind.h>

#include "boundary.h"
#include "core/thread_pool.h"

namespace sllm::bind {
namespace {
int set_threads(int n) {
  return guard([&] {
    set_num_threads(n);
    return num_threads();
  });
}
}  // namespace
}  // namespace sllm::bind

EMSCRIPTEN_BINDINGS(sllm_threads) {
  using namespace emscripten;
  function("setThreads", &sllm::bind::set_threads);
  function("threads", &sllm::num_threads);
  function("maxThreads", &sllm::max_threads);
  function("startedWorkers", &sllm::started_workers);
}
