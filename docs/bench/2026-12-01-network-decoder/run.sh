#!/bin/bash
# Network decoder p(x | z_0) vs today's decoder, coded by the Swift coder (docs/DESIGN.md §1).
#   bash docs/bench/2026-12-01-network-decoder/run.sh NETDEC_RUN BASE_RUN [OUT] [N]
# NETDEC_RUN, BASE_RUN: training run folders (training/study.py's a_netdec and a_base: 400 fine-tuning steps
# from the same start, --decoder network vs today's decoder). Needs .build/release/vdmz.
# Per model: export, `vdmz rate --code` on the first N cifar-500 images (Swift ELBO with the tiled
# estimator, seed 0, and the bits-back coder: dataset mode on one stack, decoded and checked, and each image
# alone), then PyTorch's training.evaluate on the same images (its own fixed-seed noise). Rate timings run
# interleaved A B A B.
set -euo pipefail
NETDEC=$1; BASE=$2; OUT=${3:-/tmp/netdec-bench}; N=${4:-20}
mkdir -p "$OUT"
python3 -m training.export --run "$NETDEC" --out "$OUT/netdec.safetensors"
python3 -m training.export --run "$BASE" --out "$OUT/base.safetensors"
python3 -c "
import numpy as np, sys
sys.path.insert(0, '.')
from training.data import test_cifar
np.save('$OUT/cifar.npy', test_cifar($N).permute(0, 2, 3, 1).contiguous().numpy())"
for round in 1 2; do
  for m in netdec base; do
    /usr/bin/time -f "$m round $round: wall %e s, user %U s" .build/release/vdmz rate --model "$OUT/$m.safetensors" \
      --code --json "$OUT/cifar.npy" > "$OUT/rate_${m}_$round.json"
    tail -1 "$OUT/rate_${m}_$round.json"
  done
done
for m in netdec base; do
  python3 -m training.evaluate --checkpoint "$OUT/$m.safetensors" --cifar "$N" --skip-kodak \
    --continuous-samples 1 --threads 1 --csv "$OUT/eval_$m.csv" | tail -1
done
