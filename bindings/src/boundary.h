// boundary.h: what every binding needs at the C++/JavaScript boundary.
//
// Errors: no C++ exception may cross into JavaScript. Throwing out of an embind method that
// takes a std::string leaks the argument's buffer (16 bytes per throw with -fwasm-exceptions),
// and a C++ exception JS cannot read is useless to users. So every bound entry point runs its
// body inside guard(), which catches everything, records {code, message} on the Module as
// `sllmPendingError` and returns a default value (undefined, null, 0, ""). The TypeScript
// wrapper checks for a pending error after every call, once embind has freed the arguments,
// and throws the matching named Error subclass.
//
// Memory: wasm32 has 32-bit size_t, so sizes the core computes could wrap for huge configs.
// check_model_fits()/check_training_fits() reject them up front with an OutOfMemory error.
#pragma once
#include <emscripten/val.h>

#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "model/config.h"
#include "model/architecture.h"
#include "train/trainer.h"

namespace sllm::bind {

using emscripten::val;

// Records the error for the JS wrapper (see above). code is an ErrorCode name.
void set_pending_error(const char* code, const std::string& message);

template <class F>
auto guard(F&& body) -> decltype(body()) {
  using R = decltype(body());
  try {
    return body();
  } catch (const Error& e) {
    set_pending_error(error_code_name(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    set_pending_error("OutOfMemory",
                      "out of memory: WebAssembly could not allocate what this needs; use a smaller model, "
                      "batch size or sequence length, or dispose objects you no longer use");
  } catch (const std::length_error&) {
    set_pending_error("OutOfMemory",
                      "out of memory: an array would exceed what 32-bit WebAssembly can hold; use a smaller "
                      "model, batch size or sequence length");
  } catch (const std::exception& e) {
    set_pending_error("Internal", std::string("internal error: ") + e.what());
  } catch (...) {
    set_pending_error("Internal", "internal error: an unknown C++ exception");
  }
  if constexpr (std::is_void_v<R>) {
    return;
  } else if constexpr (std::is_same_v<R, val>) {
    return val::undefined();
  } else {
    return R{};
  }
}

// Parses a JSON text produced by the TypeScript wrapper (an object unless allow_other).
Json parse_options(const std::string& json, const char* what);

// A copy of bytes as a new JS Uint8Array / of ids as a new Int32Array (no view into wasm memory,
// which memory growth would detach).
val to_uint8array(const std::vector<uint8_t>& bytes);
val to_int32array(const std::vector<int32_t>& ids);
// A JS array-like of numbers (Int32Array, number[]) as token ids.
std::vector<int32_t> to_ids(const val& array_like);
// Copies a JS Uint8Array into a vector.
std::vector<uint8_t> to_bytes(const val& u8);

// Training settings: the preset's "training" member (none for "") with the given options
// (snake_case) replacing its members. Throws Error(Config).
TrainConfig training_config(const std::string& preset, const Json& options);

// Throw Error(OutOfMemory) with advice when a model (or its training state with batch B and
// sequence length T) cannot fit in 32-bit WebAssembly memory.
void check_model_fits(const ModelConfig& c);
void check_training_fits(const ModelConfig& c, int batch, int seq_len, bool dropout);
// The same for a training setup (model/architecture.h: an adapter, the step plan).
void check_training_fits(const ModelConfig& c, const TrainingSetup& s);

// A memory estimate as the package's MemoryParts: {weights, gradients, optimizer,
// activations, kvCache, scratch, total} in bytes.
Json memory_json(const MemoryEstimate& m);

// The module's memory now: the WebAssembly memory's size, and the most it has ever held (the
// static data and stack below the heap plus malloc's peak footprint: what the module needed at
// its peak, without the memory's growth steps), and malloc's bytes in use.
struct MemoryNow {
  uint64_t wasm = 0, peak = 0, in_use = 0;
};
MemoryNow memory_now();

}  // namespace sllm::bind
