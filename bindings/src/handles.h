// handles.h: the objects JavaScript holds (through embind) for the core's tokenizers, models,
// trainers and generation sessions. JavaScript owns each handle it receives and frees it with
// delete() (the TypeScript package's dispose()). Handles share the objects they depend on
// through shared_ptr, so freeing them in any order is safe: a trainer keeps its model's
// weights alive, a model keeps its tokenizer, a generation session both.
// Every method runs inside guard() (boundary.h): errors come back as a pending error.
#pragma once
#include <emscripten/val.h>

#include <memory>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/rng.h"
#include "data/dataset.h"
#include "format/sllm_file.h"
#include "generate/generator.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"
#include "train/trainer.h"

namespace sllm::bind {

using emscripten::val;

// The dtype a model holds its blocks' matrices in: a packed (loaded) model keeps its file's,
// under an adapter too; anything else is f32 (lora_bindings.cpp).
DType held_dtype(const Model& m);

class TokenizerHandle {
 public:
  explicit TokenizerHandle(std::shared_ptr<const Tokenizer> tok) : tok_(std::move(tok)) {}
  const std::shared_ptr<const Tokenizer>& get() const { return tok_; }

  std::string type() const;
  int vocabSize() const;
  val encode(const std::string& text, bool allow_special) const;  // Int32Array
  std::string decode(const val& ids) const;
  std::string tokenString(int id) const;
  int tokenId(const std::string& s) const;  // -1 when absent
  std::string specialJson() const;          // {"unk":1,...}
  std::string toJson() const;               // the SLLM file's tokenizer member

 private:
  std::shared_ptr<const Tokenizer> tok_;
};

class ModelHandle {
 public:
  ModelHandle(std::shared_ptr<Model> model, std::shared_ptr<const Tokenizer> tok, std::string preset)
      : model_(std::move(model)), tok_(std::move(tok)), preset_(std::move(preset)) {}
  const std::shared_ptr<Model>& model() const { return model_; }
  const std::shared_ptr<const Tokenizer>& tok() const { return tok_; }
  const std::string& presetName() const { return preset_; }

  std::string configJson() const;
  double numParams() const;
  std::string preset() const;
  TokenizerHandle* tokenizer() const;  // a new handle on the same tokenizer
  val save(const std::string& options_json) const;  // Uint8Array (format_bindings.cpp)
  val toGguf(const std::string& options_json) const;  // Uint8Array: the model as a GGUF file

  // Filled by loadFile (format_bindings.cpp).
  Json metadata = Json::object();
  std::string header_json;
  std::shared_ptr<CheckpointState> checkpoint;  // set when the file was a checkpoint, until resumed
  bool checkpoint_resumed = false;
  bool isCheckpoint() const { return checkpoint != nullptr; }
  std::string metadataJson() const;
  std::string headerJson() const;
  // The tokenizer's chat template (from an SLLM file, a GGUF or a Hugging Face import), "" if none.
  std::string chatTemplate() const;
  std::string checkpointJson() const;  // {"step":..,"tokens_seen":..,"config":{..}} or "null"
  // {"weights", "packed", "kv_cache", "scratch"}: bytes of the weights as held now, and of one
  // generation's KV cache (the whole context, in kv_cache's dtype "f32" or "f16") and scratch.
  std::string memoryJson(const std::string& kv_cache) const;
  // The logits (Float32Array, vocab_size) after the last of ids, from one full forward pass
  // without any cache: the independent reference the tests hold generation against.
  val lastLogits(const val& ids) const;

  // LoRA adapters (lora_bindings.cpp): the adapter's facts as JSON ("null" without one), loading
  // an adapter file onto the model (an adapter checkpoint's state is kept for resumeTrainer),
  // saving it, merging it into the weights, removing it, switching it off and on.
  std::string adapterJson() const;
  std::string loadAdapter(const val& u8);
  val saveAdapter(const std::string& options_json) const;
  void mergeAdapter();
  void removeAdapter();
  void setAdapterEnabled(bool enabled);
  std::shared_ptr<CheckpointState> adapter_checkpoint;  // a loaded adapter checkpoint, until resumed
  // The KV cache text generation keeps between calls (generate_bindings.cpp), made on first use;
  // a prompt that extends the last generation's text computes only the new tokens.
  std::shared_ptr<PrefixCache> generation_cache;

 private:
  std::shared_ptr<Model> model_;
  std::shared_ptr<const Tokenizer> tok_;
  std::string preset_;
};

class TrainerHandle {
 public:
  TrainerHandle(std::shared_ptr<Model> model, std::shared_ptr<const Tokenizer> tok, std::unique_ptr<TokenDataset> data)
      : model_(std::move(model)), tok_(std::move(tok)), data_(std::move(data)) {}
  // The trainer refers to *model_ and *data_, so it is declared last and destroyed first.
  void set_trainer(std::unique_ptr<Trainer> t) { trainer_ = std::move(t); }
  Model& model() { return *model_; }
  const TokenDataset& data() const { return *data_; }

  // The trainer's schedule in pieces (Trainer::advance): null until the step (and the
  // evaluation the schedule calls for after it) is complete, then its result object.
  val advance();
  val trainStep();  // an optimizer step without the schedule's evaluation
  // Evaluation in pieces (Trainer::eval_batches/eval_batch/finish_eval), so the main-thread
  // engine can yield between validation batches; finishEval gives {loss, perplexity}.
  double evalBatchCount();
  double evalBatch(double i);
  val finishEval(double sum);
  bool done() const;
  bool earlyStopped() const;
  double steps() const;
  double tokensSeen() const;
  double bestValLoss() const;  // Infinity before the first evaluation
  double trainTokens() const { return double(data_->train_size()); }  // (cannot throw)
  double valTokens() const { return double(data_->val_size()); }
  std::string configJson() const;
  val saveCheckpoint(const std::string& options_json);  // Uint8Array (format_bindings.cpp)
  // {"estimate": {...parts}, "wasmMemoryBytes", "peakBytes"}: the core's estimate of this
  // trainer's memory and what the module holds (lora_bindings.cpp).
  std::string memoryJson() const;

 private:
  std::shared_ptr<Model> model_;
  std::shared_ptr<const Tokenizer> tok_;
  std::unique_ptr<TokenDataset> data_;
  std::unique_ptr<Trainer> trainer_;
};

// Text generation one token per call, so JavaScript can stream pieces, yield to the event
// loop and cancel between tokens. Produces exactly what generate_text() produces for the same
// model, prompt and options (wasm-tests hold its greedy text against ModelHandle::lastLogits).
class SessionHandle {
 public:
  SessionHandle(std::shared_ptr<Model> model, std::shared_ptr<const Tokenizer> tok, const std::string& prompt,
                const SampleOptions& opts, std::shared_ptr<PrefixCache> cache);

  std::string next();  // the text of the next token (may be "" mid-character); "" when done
  bool done() const { return gen_.done(); }

 private:
  std::shared_ptr<Model> model_;             // kept alive for gen_
  std::shared_ptr<const Tokenizer> tok_;   // kept alive for gen_
  std::shared_ptr<PrefixCache> cache_;     // kept alive for gen_ (the model handle's)
  TextGenerator gen_;
};

// The training corpus as token ids: `tokens` (a JS array-like, each id checked against the
// model's vocabulary) when given, else `text` encoded with the model's tokenizer.
std::vector<int32_t> corpus_ids(const ModelHandle& model, const std::string& text, const val& tokens);

}  // namespace sllm::bind
