// module_bindings.cpp: module-wide functions: what this build contains, memory statistics
// for leak tests (malloc'd bytes in use and the wasm memory size), and a hook that throws
// each kind of C++ exception so tests can check the error mapping at the boundary.
#include <emscripten/bind.h>
#include <emscripten/heap.h>
#include <malloc.h>

#include <new>
#include <stdexcept>

#include "boundary.h"

namespace sllm::bind {

namespace {

val build_info() {
  val o = val::object();
#if defined(__wasm_simd128__)
  o.set("simd", true);
#else
  o.set("simd", false);
#endif
  return o;
}

val memory_stats() {
  struct mallinfo mi = mallinfo();
  val o = val::object();
  o.set("heapBytesInUse", double(unsigned(mi.uordblks)));   // bytes handed out by malloc
  o.set("heapBytesReserved", double(unsigned(mi.arena)));   // bytes malloc obtained from sbrk
  o.set("wasmMemoryBytes", double(emscripten_get_heap_size()));
  o.set("peakBytes", double(memory_now().peak));             // static data + stack + malloc's peak
  return o;
}

// kind: an ErrorCode name (throws sllm::Error), "bad_alloc", "length_error" or "std".
void debug_throw(const std::string& kind) {
  guard([&] {
    for (int i = 0; i < kErrorCodes; ++i)
      if (kind == error_code_name(ErrorCode(i))) fail(ErrorCode(i), "test error of kind " + kind);
    if (kind == "bad_alloc") throw std::bad_alloc();
    if (kind == "length_error") throw std::length_error("vector");
    throw std::runtime_error("test: a plain std::exception");
  });
}

}  // namespace

}  // namespace sllm::bind

EMSCRIPTEN_BINDINGS(sllm_module) {
  using namespace emscripten;
  function("buildInfo", &sllm::bind::build_info);
  function("memoryStats", &sllm::bind::memory_stats);
  function("debugThrow", &sllm::bind::debug_throw);
}
