#!/usr/bin/env bash
# bench-learn.sh: nanoGPT's published CPU reference run on tinyshakespeare with the native
# build: char-level, 90/10 split, 4 layers, 4 heads, dim 128, context 64, batch 12, dropout 0,
# AdamW (0.9, 0.99), weight decay 0.1, lr 1e-3 with 100 warmup steps and cosine decay to 1e-4
# at step 2000, 2000 steps, validation loss over the same 20 batches. nanoGPT reaches 1.88.
# The last line is one JSON object with val_loss, steps, seconds and tokens_per_s. The trained
# model is saved to bench/out/shakespeare-char.sllm (bench:format reads it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-browser
scripts/build-native.sh >/dev/null
mkdir -p bench/out
exec build/native/sllm-train --data ../shared/data/tinyshakespeare.txt \
  --layers 4 --heads 4 --dim 128 --ffn 512 --context 64 --seq 64 --batch 12 --dropout 0 \
  --beta1 0.9 --beta2 0.99 --wd 0.1 --clip 1.0 --schedule cosine --lr 1e-3 --min-lr 1e-4 \
  --warmup 100 --decay-steps 2000 --steps 2000 --eval-interval 250 --eval-batches 20 \
  --sample-len 200 --seed 1337 --save bench/out/shakespeare-char.sllm --json
