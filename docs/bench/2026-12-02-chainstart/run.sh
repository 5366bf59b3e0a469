#!/usr/bin/env bash
# What the start of a chain costs (issue 17): the same 16 CIFAR-10 test images coded on a cold chain
# (they start it: initial bits and the ramp of small tiles) and on a warm one (test images 100-102 go
# first), each image's net coded bits printed (`vdmz-bench chain --per-image`), then compared.
# Usage, from the repository root: bash docs/bench/2026-12-02-chainstart/run.sh [MODEL]
# (cold.txt and warm.txt were made with the fifth default, Sources/Model/Resources/released/ccd4c13eeb7362bf36e431443747e2bdb96c21b396ade97e639cbb413397e36a.safetensors)
set -euo pipefail
here=docs/bench/2026-12-02-chainstart
model=${1:-Sources/Model/Resources/default.safetensors}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
.venv/bin/python -c "
import numpy as np
t = np.load('../shared/corpora/cifar10/test_images.npy')
np.save('$tmp/cold.npy', t[0:16])
np.save('$tmp/warm.npy', np.concatenate([t[100:103], t[0:16]]))"
bench=.build/release/vdmz-bench
$bench chain --model "$model" --npy "$tmp/cold.npy" --per-image --threads 1 > "$here/cold.txt"
$bench chain --model "$model" --npy "$tmp/warm.npy" --per-image --threads 1 > "$here/warm.txt"
python3 "$here/compare.py" "$here/cold.txt" "$here/warm.txt" 3
