// hf_bindings.cpp: Hugging Face model folders for JavaScript. Import reads the files where they
// are, JavaScript Uint8Arrays outside wasm memory, one tensor at a time (JsBytes copies just the
// bytes asked for into wasm memory), so a model costs about its own f32 size in wasm memory, not
// its files' too. Export returns the folder's files as a JS object of Uint8Arrays.
#include <emscripten/bind.h>

#include "boundary.h"
#include "format/adapter_file.h"
#include "format/hf_model.h"
#include "handles.h"

namespace sllm::bind {

namespace {

using emscripten::typed_memory_view;

// A JS Uint8Array, read in pieces.
class JsBytes final : public ByteSource {
 public:
  explicit JsBytes(val bytes) : bytes_(std::move(bytes)), size_(bytes_["length"].as<double>()) {}
  uint64_t size() const override { return uint64_t(size_); }
  void read(uint64_t offset, size_t n, void* dst) const override {
    check_range(offset, n);
    if (n == 0) return;
    // The view is made and used with no allocation between: memory growth cannot detach it.
    val view(typed_memory_view(n, static_cast<uint8_t*>(dst)));
    view.call<void>("set", bytes_.call<val>("subarray", double(offset), double(offset) + double(n)));
  }

 private:
  val bytes_;
  double size_;
};

// files: an array of [name, Uint8Array]. options: {"max_context": n}.
ModelHandle* import_hugging_face(const val& files, const std::string& options_json) {
  return guard([&]() -> ModelHandle* {
    Json o = parse_options(options_json, "import options");
    HfImportOptions opts;
    for (const auto& [key, value] : o.members()) {
      if (key != "max_context") fail(ErrorCode::InvalidArgument, "unknown import option \"" + key + "\"; the option is maxContext");
      opts.max_context = int(o.get_int("max_context", 1, 1 << 24));
    }
    FileSet set;
    const int n = files["length"].as<int>();
    for (int i = 0; i < n; ++i) {
      val entry = files[i];
      set.push_back({entry[0].as<std::string>(), std::make_shared<JsBytes>(entry[1])});
    }
    LoadedFile f = import_hf(set, opts);
    Json header = Json::object();
    header.set("format", "huggingface");
    header.set("model", f.model->config().to_json());
    header.set("tokenizer", f.tokenizer->type());
    Json names = Json::array();
    for (const auto& file : set) names.push(file.name);
    header.set("files", std::move(names));
    auto h = std::make_unique<ModelHandle>(std::shared_ptr<Model>(std::move(f.model)),
                                           std::shared_ptr<const Tokenizer>(std::move(f.tokenizer)), "");
    h->metadata = std::move(f.metadata);
    h->header_json = header.dump();
    return h.release();
  });
}

// options: {"dtype": "f32" | "f16" | "bf16", "metadata": {...}}. Returns {name: Uint8Array}.
val model_to_hugging_face(const ModelHandle& model, const std::string& options_json) {
  return guard([&]() -> val {
    Json o = parse_options(options_json, "toHuggingFace options");
    HfExportOptions opts;
    for (const auto& [key, value] : o.members()) {
      if (key == "dtype") {
        const std::string& d = o.get_string("dtype");
        opts.dtype = d == "f32" ? StType::F32 : d == "f16" ? StType::F16 : d == "bf16" ? StType::BF16 : StType::I8;
        if (opts.dtype == StType::I8) fail(ErrorCode::InvalidArgument, "unknown dtype \"" + d + "\"; use f32, f16 or bf16");
      } else if (key == "metadata") {
        opts.metadata = o.get("metadata", Json::Type::Object);
      } else {
        fail(ErrorCode::InvalidArgument, "unknown toHuggingFace option \"" + key + "\"; the options are dtype and metadata");
      }
    }
    std::unique_ptr<Model> merged;  // a model with an adapter exports as base + adapter
    auto files = export_hf(merged_view(*model.model(), merged), *model.tok(), opts);
    val out = val::object();
    for (auto& [name, bytes] : files) {
      out.set(name, to_uint8array(bytes));
      std::vector<uint8_t>().swap(bytes);  // free each file once JS has its copy
    }
    return out;
  });
}

}  // namespace

}  // namespace sllm::bind

EMSCRIPTEN_BINDINGS(sllm_hf) {
  using namespace emscripten;
  function("importHuggingFace", &sllm::bind::import_hugging_face, allow_raw_pointers());
  function("modelToHuggingFace", &sllm::bind::model_to_hugging_face);
}
