#!/usr/bin/env bash
# lora_fresh_process.sh: the native tools fine-tune with LoRA end to end. A small base model is
# trained and saved; a LoRA run on it (adapter dropout, recompute, chunked) for 60 steps straight,
# and the same run cut at step 30 (an adapter checkpoint) and resumed in a fresh process on the
# saved base, give the identical loss at every step; the saved adapter on its base and the
# merged model give the same greedy tokens; the adapter on another base is refused.
# Usage: $0 SLLM_TRAIN SLLM_GENERATE CORPUS
set -euo pipefail
train=$1 generate=$2 corpus=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$train" --data "$corpus" --layers 2 --dim 32 --heads 2 --ffn 64 --context 32 --batch 4 --steps 40 \
  --sample-len 0 --quiet --save "$dir/base.sllm" >/dev/null
"$train" --data "$corpus" --layers 2 --dim 32 --heads 2 --ffn 64 --context 32 --batch 4 --steps 10 \
  --seed 7 --init-seed 9 --sample-len 0 --quiet --save "$dir/other.sllm" >/dev/null
common=(--data "$corpus" --model "$dir/base.sllm" --lora-rank 4 --lora-alpha 8 --lora-dropout 0.1 --dropout 0.1
        --recompute --chunked --batch 4 --seq 32 --steps 60 --lr 3e-3 --eval-interval 20 --eval-batches 2
        --sample-len 0 --quiet)
"$train" "${common[@]}" --loss-log "$dir/straight.txt" --save-adapter "$dir/adapter.sllm" \
  --save "$dir/merged.sllm" >/dev/null
"$train" "${common[@]}" --loss-log "$dir/resumed.txt" --stop-at 30 --checkpoint "$dir/ckpt.sllm" >/dev/null
"$train" --data "$corpus" --resume "$dir/ckpt.sllm" --model "$dir/base.sllm" --loss-log "$dir/resumed.txt" \
  --sample-len 0 --quiet >/dev/null
if ! cmp -s "$dir/straight.txt" "$dir/resumed.txt"; then
  echo "losses differ:"; diff "$dir/straight.txt" "$dir/resumed.txt" | head -10; exit 1
fi
echo "60 identical losses (last: $(tail -1 "$dir/straight.txt"))"
# The checkpoint holds the adapter, not the base.
ckpt=$(stat -c %s "$dir/ckpt.sllm") base=$(stat -c %s "$dir/base.sllm")
if [ "$ckpt" -ge "$base" ]; then echo "the LoRA checkpoint ($ckpt bytes) is not smaller than the base ($base)"; exit 1; fi
gen=(--prompt "ROMEO:" --temperature 0 --tokens 40 --ids)
a=$("$generate" --model "$dir/base.sllm" --adapter "$dir/adapter.sllm" "${gen[@]}")
m=$("$generate" --model "$dir/merged.sllm" "${gen[@]}")
b=$("$generate" --model "$dir/base.sllm" "${gen[@]}")
if [ "$a" != "$m" ]; then echo "base + adapter and the merged model generate differently:"; echo "$a"; echo "$m"; exit 1; fi
if [ "$a" == "$b" ]; then echo "the adapter changed nothing"; exit 1; fi
if "$generate" --model "$dir/other.sllm" --adapter "$dir/adapter.sllm" "${gen[@]}" 2>"$dir/err.txt" >/dev/null; then
  echo "the adapter was accepted on another base"; exit 1
fi
grep -q "trained on other weights" "$dir/err.txt" || { echo "unclear error: $(cat "$dir/err.txt")"; exit 1; }
echo "adapter + base = merged model; refused on another base"
