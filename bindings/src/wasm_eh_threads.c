/* wasm_eh_threads.c: thread glue for the wasm threads build (linked into sllm_core_simd_threads).
 *
 * C++ exceptions use native wasm exception handling. Emscripten 3.1.6's libunwind keeps the
 * landing-pad context through which compiler-generated catch code talks to the personality
 * function in a thread_local variable, but the clang it is paired with on Debian (14) accesses
 * that variable as a plain global. In a -pthread build the two then disagree about its address
 * and no exception is ever caught (the module aborts on the first throw, on any thread). This
 * compiles Emscripten's own Unwind-wasm.c with the variable as a plain global, which wins over
 * the system library's copy at link time. One context for all threads is safe here: only the
 * engine's own thread throws; kernels running on worker threads must not (thread_pool.h). */
#include <stdbool.h>
#include <threads.h>
#undef thread_local
#define thread_local
#include "Unwind-wasm.c"
