#!/usr/bin/env bash
# Side by side on one machine: a Kodak image at the default T with the default model and with another one
# (OLD_MODEL, e.g. the released default it replaced), same binary, same bits-back coder, interleaved
# old/new for ROUNDS rounds; wall and user seconds of each compress and decompress, and the file sizes.
#   bash bench/model_time_ab.sh OLD_MODEL [IMAGE] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:?usage: bash bench/model_time_ab.sh OLD_MODEL [IMAGE] [ROUNDS]}
img=${2:-../shared/corpora/kodak/kodim20.png}
rounds=${3:-2}
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
