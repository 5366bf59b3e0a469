#!/usr/bin/env bash
# The coder's own scaling, with a network too small to hide it: kodim20 at T = 16 with the golden test
# model (C = 8, B = 2; its network is ≈ 1/20 of the shipped one), `--threads 2`, old and new binaries
# interleaved for R rounds (compress, then decompress of each binary's own file); prints the sorted walls.
#   bash docs/bench/2026-12-01-streams/tiny_ab.sh OLD_VDMZ NEW_VDMZ [R]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
old="$1"; new="$2"; rounds="${3:-6}"
model="$root/Tests/Golden/model.safetensors"; image="$root/../shared/corpora/kodak/kodim20.png"
work="$(mktemp -d)"; cd "$work"
for what in compress decompress; do
    for r in $(seq "$rounds"); do
        for v in old new; do
            bin="${!v}"
            if [ "$what" = compress ]; then
                /usr/bin/time -o t.txt -f "%e %U" "$bin" compress -q --force --allow-expansion --coder bits-back \
                    --model "$model" --steps 16 --threads 2 "$image" -o "$v.vdmz"
            else
                /usr/bin/time -o t.txt -f "%e %U" "$bin" decompress -q --force --model "$model" --threads 2 "$v.vdmz" -o "$v.png"
            fi
            echo "$v $what $(cat t.txt)" >> runs.txt
        done
    done
done
for what in compress decompress; do
    for v in old new; do echo "$v $what wall: $(grep "^$v $what " runs.txt | awk '{print $3}' | sort -g | tr '\n' ' ')"; done
done
