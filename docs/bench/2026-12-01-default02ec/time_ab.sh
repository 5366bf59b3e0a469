#!/usr/bin/env bash
# Side by side on one machine: a Kodak image at the default T with the new default model and with the one
# it replaced (same binary, same bits-back coder), interleaved A B A B; wall and user seconds of each run.
#   bash docs/bench/2026-12-01-default02ec/time_ab.sh [IMAGE] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../../.."
img=${1:-../shared/corpora/kodak/kodim20.png}
rounds=${2:-2}
old=Sources/Model/Resources/released/82b018743b176d6dd674557e50eddd01e8becc2e7d2cdfe6f3a3b9d634dd6cf9.safetensors
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for r in $(seq "$rounds"); do
  for which in old new; do
    model=(); [ "$which" = old ] && model=(--model "$old")
    /usr/bin/time -f "$which round $r: %e s wall, %U s user" .build/release/vdmz compress -q --force \
      --coder bits-back --threads 2 "${model[@]}" "$img" -o "$tmp/$which.vdmz"
    /usr/bin/time -f "$which round $r decompress: %e s wall, %U s user" .build/release/vdmz decompress -q \
      --force --threads 2 "$tmp/$which.vdmz" -o "$tmp/$which.png"
    echo "$which: $(stat -c %s "$tmp/$which.vdmz") bytes"
  done
done
