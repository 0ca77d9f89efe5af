#!/usr/bin/env bash
# bench-bpe.sh: does a BPE vocabulary help a small model at equal training time? Trains the
# nanoGPT CPU reference model (4 layers, 4 heads, dim 128, context 64, batch 12) on
# tinyshakespeare with the char tokenizer and with byte-level BPE vocabularies, each for about
# SECONDS of training (steps calibrated from a short run, so each cosine schedule completes),
# and compares validation loss per character. Usage: scripts/bench-bpe.sh [SECONDS] [VOCABS...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-150}
shift || true
vocabs=("${@:-2000 4000}")
scripts/build-native.sh >/dev/null
train=build/native/sllm-train
common=(--data ../shared/data/tinyshakespeare.txt --layers 4 --heads 4 --dim 128 --ffn 512 --context 64
        --batch 12 --dropout 0 --beta2 0.99 --wd 0.1 --lr 1e-3 --min-lr 1e-4 --warmup 100
        --eval-batches 20 --sample-len 0 --quiet --json)
run() {  # $1 = label, rest = tokenizer flags; prints the final JSON line
  local label=$1
  shift
  local rate steps
  rate=$("$train" "${common[@]}" "$@" --steps 30 --eval-interval 0 --val-fraction 0.1 | tail -1 |
    node -e 'const j=JSON.parse(require("fs").readFileSync(0,"utf8"));console.log(j.tokens_per_s / (12 * 64))')
  steps=$(node -e "console.log(Math.max(100, Math.round($rate * $secs)))")
  echo "$label: about $steps steps in ${secs}s" >&2
  "$train" "${common[@]}" "$@" --steps "$steps" --eval-interval "$steps" | tail -1
}
results="{"
line=$(run char --tokenizer char)
echo "char: $line"
results+="\"char\":$line"
for v in ${vocabs[@]}; do
  line=$(run "bpe-$v" --tokenizer bpe --vocab-size "$v")
  echo "bpe-$v: $line"
  results+=",\"bpe_$v\":$line"
done
echo "$results}"
