#!/usr/bin/env bash
# convert_folder.sh: sllm-convert between Hugging Face folders and SLLM files, end to end: each
# fixture folder -> .sllm -> folder -> .sllm gives the same SLLM file twice (the round trip
# through Hugging Face's layout is lossless in f32), a bf16 folder is written, and a folder
# that is not a model gets a clear error. Usage: $0 SLLM_CONVERT FIXTURES_DIR
set -euo pipefail
convert=$1 fixtures=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for name in gpt2 gpt2-f16-sharded llama llama-bf16; do
  "$convert" "$fixtures/$name" "$dir/$name.sllm" >/dev/null
  "$convert" "$dir/$name.sllm" "$dir/$name-out/" >/dev/null
  "$convert" "$dir/$name-out" "$dir/$name-again.sllm" >/dev/null
  cmp "$dir/$name.sllm" "$dir/$name-again.sllm" || { echo "$name: the SLLM files differ after a round trip"; exit 1; }
  for f in config.json model.safetensors tokenizer.json tokenizer_config.json generation_config.json; do
    [ -s "$dir/$name-out/$f" ] || { echo "$name: $f missing from the folder written"; exit 1; }
  done
done
"$convert" "$dir/llama.sllm" "$dir/bf16" --dtype bf16 >/dev/null
grep -q '"torch_dtype":"bfloat16"' "$dir/bf16/config.json" || { echo "bf16 folder: torch_dtype not bfloat16"; exit 1; }
mkdir "$dir/empty"
if "$convert" "$dir/empty" "$dir/x.sllm" 2>"$dir/err.txt"; then echo "an empty folder converted"; exit 1; fi
grep -q "no config.json among the files" "$dir/err.txt" || { echo "unexpected error: $(cat "$dir/err.txt")"; exit 1; }
echo "4 fixtures: folder -> sllm -> folder -> sllm identical; bf16 folder written; empty folder refused"
