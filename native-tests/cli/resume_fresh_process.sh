#!/usr/bin/env bash
# resume_fresh_process.sh: training 200 steps straight, and training 100 steps, writing a
# checkpoint, then resuming it in a fresh process for 100 more, give the identical loss at
# every step (compared as printed with 9 significant digits). Usage: $0 SLLM_TRAIN CORPUS
set -euo pipefail
train=$1 corpus=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
common=(--data "$corpus" --layers 2 --dim 32 --heads 2 --ffn 64 --context 32 --batch 4 --steps 200
        --warmup 20 --dropout 0.1 --eval-interval 50 --eval-batches 2 --patience 100 --sample-len 0 --quiet)
"$train" "${common[@]}" --loss-log "$dir/straight.txt" >/dev/null
"$train" "${common[@]}" --loss-log "$dir/resumed.txt" --stop-at 100 --checkpoint "$dir/ckpt.sllm" >/dev/null
"$train" --data "$corpus" --resume "$dir/ckpt.sllm" --loss-log "$dir/resumed.txt" --sample-len 0 --quiet >/dev/null
if ! cmp -s "$dir/straight.txt" "$dir/resumed.txt"; then
  echo "losses differ:"; diff "$dir/straight.txt" "$dir/resumed.txt" | head -10; exit 1
fi
echo "200 identical losses (last: $(tail -1 "$dir/straight.txt"))"
