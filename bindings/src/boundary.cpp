// boundary.cpp: the pending-error hand-off to JavaScript, conversions between JS values and
// C++ containers, and the up-front memory checks for 32-bit WebAssembly (see boundary.h).
#include "boundary.h"

#include <emscripten.h>
#include <emscripten/heap.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <cstdio>

#include "model/architecture.h"

extern "C" {
extern size_t __heap_base;                // the linker's end of static data and stack (sbrk.c)
size_t malloc_max_footprint(void);        // dlmalloc's peak bytes obtained from sbrk
}

namespace sllm::bind {

// clang-format off
EM_JS(void, sllm_set_pending_error_js, (const char* code, const char* message), {
  Module["sllmPendingError"] = { code: UTF8ToString(code), message: UTF8ToString(message) };
});
// clang-format on

void set_pending_error(const char* code, const std::string& message) {
  sllm_set_pending_error_js(code, message.c_str());
}

Json parse_options(const std::string& json, const char* what) {
  Json j = Json::parse(json);
  if (!j.is_object()) fail(ErrorCode::InvalidArgument, std::string(what) + " must be an object");
  return j;
}

TrainConfig training_config(const std::string& preset, const Json& options) {
  Json j = preset.empty() ? Json::object() : preset_json(preset).get("training", Json::Type::Object);
  for (const auto& [k, v] : options.members()) j.set(k, v);
  return TrainConfig::from_json(j);
}

val to_uint8array(const std::vector<uint8_t>& bytes) {
  return val::global("Uint8Array").new_(emscripten::typed_memory_view(bytes.size(), bytes.data()));
}

val to_int32array(const std::vector<int32_t>& ids) {
  return val::global("Int32Array").new_(emscripten::typed_memory_view(ids.size(), ids.data()));
}

namespace {
// Copies a JS array-like into a new vector with one TypedArray.set() into wasm memory (nothing
// may allocate between taking the view and the set, or memory growth would detach the view).
template <class T>
std::vector<T> copy_from_js(const val& src) {
  const size_t n = src["length"].as<size_t>();
  std::vector<T> out(n);
  val(emscripten::typed_memory_view(n, out.data())).call<void>("set", src);
  return out;
}
}  // namespace

std::vector<int32_t> to_ids(const val& array_like) {
  if (array_like.typeOf().as<std::string>() != "object" || array_like.isNull() || !array_like["length"].isNumber())
    fail(ErrorCode::InvalidArgument, "token ids must be an array or Int32Array of integers");
  // Through an Int32Array view, plain arrays and other typed arrays convert alike.
  return copy_from_js<int32_t>(array_like);
}

std::vector<uint8_t> to_bytes(const val& u8) {
  if (!u8.instanceof(val::global("Uint8Array")))
    fail(ErrorCode::InvalidArgument, "expected the file's bytes as a Uint8Array");
  return copy_from_js<uint8_t>(u8);
}

namespace {

// One std::vector<float> may hold at most PTRDIFF_MAX / 4 floats in wasm32 (just under 2 GiB).
constexpr uint64_t kMaxArrayFloats = (uint64_t(1) << 29) - 1024;
constexpr uint64_t kMaxMemoryBytes = uint64_t(4) << 30;

std::string mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f MiB", double(bytes) / (1024.0 * 1024.0));
  return buf;
}

}  // namespace

void check_model_fits(const ModelConfig& c) {
  const uint64_t n = c.param_count();
  if (n > kMaxArrayFloats)
    fail(ErrorCode::OutOfMemory, "out of memory: the model has " + std::to_string(n) + " parameters (" +
                                     mib(n * 4) +
                                     "), more than WebAssembly's 2 GiB limit for one array; use a smaller "
                                     "model (fewer layers, a smaller dim or vocabulary)");
}

void check_training_fits(const ModelConfig& c, int batch, int seq_len, bool dropout) {
  TrainingSetup s;
  s.batch = batch, s.seq_len = seq_len, s.dropout = dropout;
  check_training_fits(c, s);
}

void check_training_fits(const ModelConfig& c, const TrainingSetup& s) {
  check_model_fits(c);
  const MemoryEstimate m = training_memory(c, s);
  if (m.activations / 4 > kMaxArrayFloats || m.total() > kMaxMemoryBytes)
    fail(ErrorCode::OutOfMemory,
         "out of memory: training this model with batch size " + std::to_string(s.batch) + " and sequence length " +
             std::to_string(s.seq_len) + " needs about " + mib(m.total()) + " (activations " + mib(m.activations) +
             "), more than 32-bit WebAssembly can hold (4 GiB, at most 2 GiB in one array); use a smaller "
             "batch size, sequence length or model, or train with recompute and chunked (or a LoRA adapter)");
}

Json memory_json(const MemoryEstimate& m) {
  Json j = Json::object();
  j.set("weights", double(m.weights));
  j.set("gradients", double(m.gradients));
  j.set("optimizer", double(m.optimizer));
  j.set("activations", double(m.activations));
  j.set("kvCache", double(m.kv_cache));
  j.set("scratch", double(m.scratch));
  j.set("total", double(m.total()));
  return j;
}

MemoryNow memory_now() {
  struct mallinfo mi = mallinfo();
  MemoryNow n;
  n.wasm = uint64_t(emscripten_get_heap_size());
  n.peak = uint64_t(reinterpret_cast<uintptr_t>(&__heap_base)) + uint64_t(malloc_max_footprint());
  n.in_use = uint64_t(unsigned(mi.uordblks));
  return n;
}

}  // namespace sllm::bind
