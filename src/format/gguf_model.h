// gguf_model.h: whole models as GGUF files, for llama.cpp, Ollama, LM Studio and wllama, and
// back. Export writes any sllm model (gpt as llama.cpp's gpt2 architecture, llama as llama) in
// f32, f16, q8_0 or q4_0 (the SLLM writer's dtype rules), with every hyper-parameter key
// llama.cpp reads, the tokenizer (gguf_tokenizer.h), and name/description from the metadata.
// Import reads GGUF v2/v3 files of architecture gpt2 or llama with tensors in f32, f16, bf16,
// q8_0 or q4_0 into an sllm model (dequantized to f32, or packed: kept in the file's dtype for
// generation) that generates, evaluates, trains and
// saves; anything else is an error naming it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "format/sllm_file.h"

namespace sllm {

// The GGUF file of model and tok (opts.weights is the dtype of the matrices, opts.metadata's
// "name" and "description" become general.name and general.description). Throws
// Error(InvalidArgument) for a tokenizer GGUF cannot express (the word tokenizer).
std::vector<uint8_t> save_gguf(const Model& model, const Tokenizer& tok, const SaveOptions& opts = {});

// Parses, validates and imports a GGUF file. Throws Error(Format) naming what is wrong or
// unsupported. Memory: besides what it returns, about the size of the file's metadata index.
LoadedFile load_gguf(const uint8_t* data, size_t size);
// The same on bytes the model may keep: with opts.packed, the matrices and embeddings stay in
// them in the file's dtype (f32, f16, q8_0, q4_0; bf16 ones are widened to f32), as load_file's
// packed SLLM models; a trainer converts them to f32 when it starts.
LoadedFile load_gguf(std::shared_ptr<const std::vector<uint8_t>> bytes, const LoadOptions& opts);

// What loadModel reports of a GGUF file in place of an SLLM header: {"format": "gguf",
// "version", "architecture", "file_type" (the matrices' ggml type), "model" (the sllm config),
// "tensors": [{"name", "type", "shape", "nbytes"}]}. Throws Error(Format) as load_gguf.
Json gguf_summary(const uint8_t* data, size_t size);

// True when the bytes start with GGUF's magic.
bool is_gguf(const uint8_t* data, size_t size);

// load_gguf or load_file (SLLM), by the file's magic.
LoadedFile load_any(const uint8_t* data, size_t size);

}  // namespace sllm
