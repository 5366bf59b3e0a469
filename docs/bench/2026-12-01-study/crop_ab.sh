#!/usr/bin/env bash
# Training crop size A/B (issue 16 study, 2026-12-01, MODEL_CARD.md "Rate–compute study", finding 7).
#   bash docs/bench/2026-12-01-study/crop_ab.sh [OUT] [INIT]
# Warm start from INIT (default training/state/netdec; the measured run used that folder as committed at
# 0e30335, step 15,385), photos only, the same pixels per step (64 × 32² = 16 × 64²), 400 steps, lr 1e-3
# (50-step warm-up), EMA 0.99; then the full evaluation (cifar-500 first 200, Kodak 256² centre crops with
# the same 16 of 64 steps) appended to OUT/eval.csv. About 25 minutes on 2 free cores.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=${1:-/work/cropexp}
init=${2:-training/state/netdec}
common="--init $init --decoder network --warmup 50 --ema 0.99 --lr 1e-3 --photo-frac 1.0 --max-steps 400 --threads 2 --eval-cifar 0 --eval-kodak-crops 0 --log-every 50"
for v in "c32 --crop 32 --batch 64" "c64 --crop 64 --batch 16"; do
  set -- $v; name=$1; shift
  [ -f "$out/$name/done" ] || { python3 -m training.train --run "$out/$name" $common "$@"; touch "$out/$name/done"; }
done
for name in c32 c64; do
  python3 -m training.evaluate --run "$out/$name" --cifar 200 --kodak-steps 16 --continuous-samples 1 --threads 2 --csv "$out/eval.csv"
done
