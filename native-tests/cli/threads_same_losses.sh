#!/usr/bin/env bash
# threads_same_losses.sh: sllm-train --threads 1 and --threads 3 (and a checkpoint written on 3
# threads resumed on 2) give the identical loss at every step, printed with 9 significant
# digits, and sllm-generate writes the same greedy text on 1 and 4 threads.
# Usage: $0 SLLM_TRAIN SLLM_GENERATE CORPUS
set -euo pipefail
train=$1 generate=$2 corpus=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
common=(--data "$corpus" --layers 2 --dim 64 --heads 4 --ffn 256 --context 64 --batch 4 --steps 60
        --warmup 10 --dropout 0.1 --eval-interval 30 --eval-batches 2 --sample-len 0 --quiet)
"$train" "${common[@]}" --threads 1 --loss-log "$dir/one.txt" --save "$dir/model.sllm" >/dev/null
"$train" "${common[@]}" --threads 3 --loss-log "$dir/three.txt" --stop-at 30 --checkpoint "$dir/ckpt.sllm" >/dev/null
"$train" --data "$corpus" --resume "$dir/ckpt.sllm" --threads 2 --loss-log "$dir/three.txt" --sample-len 0 --quiet >/dev/null
if ! cmp -s "$dir/one.txt" "$dir/three.txt"; then
  echo "losses differ:"; diff "$dir/one.txt" "$dir/three.txt" | head -10; exit 1
fi
a=$("$generate" --model "$dir/model.sllm" --prompt "ROMEO:" --tokens 100 --temperature 0 --threads 1)
b=$("$generate" --model "$dir/model.sllm" --prompt "ROMEO:" --tokens 100 --temperature 0 --threads 4)
if [ "$a" != "$b" ]; then echo "greedy text differs between 1 and 4 threads"; exit 1; fi
echo "$(wc -l < "$dir/one.txt") identical losses on 1 and 3 (then 2) threads; the same greedy text on 1 and 4"
