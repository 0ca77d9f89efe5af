// boundary.cpp: the pending-error hand-off to JavaScript, conversions between JS values and
// C++ containers, and the up-front memory checks for 32-bit WebAssembly (see boundary.h).
#include "boundary.h"

#include <emscripten.h>
#include <emscripten/val.h>

#include <cstdio>

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
  check_model_fits(c);
  const uint64_t L = uint64_t(c.layers), C = uint64_t(c.dim), F = uint64_t(c.ffn_dim);
  const uint64_t V = uint64_t(c.vocab_size), NH = uint64_t(c.heads);
  const uint64_t BT = uint64_t(batch) * uint64_t(seq_len), TT = uint64_t(seq_len) * uint64_t(seq_len);
  // The activation slab of GPT::ensure_activations, slot by slot (plus alignment padding).
  uint64_t acts = BT * C * (6 + 5 * L) + L * BT * 3 * C + BT * 3 * C + L * BT * 4 + BT * 3 +
                  L * uint64_t(batch) * NH * TT + 2 * L * BT * F + BT * V + 2 * BT * F + 2 * TT + 31 * 4;
  if (dropout) acts += L * uint64_t(batch) * NH * TT + 2 * L * BT * C;
  const uint64_t params = c.param_count();
  const uint64_t total = 4 * (4 * params + acts);  // weights, gradients, two AdamW moments, activations
  if (acts > kMaxArrayFloats || total > kMaxMemoryBytes)
    fail(ErrorCode::OutOfMemory,
         "out of memory: training this model with batch size " + std::to_string(batch) + " and sequence length " +
             std::to_string(seq_len) + " needs about " + mib(total) +
             " (activations " + mib(acts * 4) +
             "), more than 32-bit WebAssembly can hold (4 GiB, at most 2 GiB in one array); use a smaller "
             "batch size, sequence length or model");
}

}  // namespace sllm::bind
