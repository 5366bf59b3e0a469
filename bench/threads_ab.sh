#!/usr/bin/env bash
# 2 cores against 1 on a dataset of 32×32 images (issue 17: ≥ 1.8×): `vdmz compress` and `vdmz
# decompress` of the first N CIFAR-10 test images at --threads 1 and --threads 2, interleaved
# A/B/A/B for R rounds, in shards of SHARD_IMAGES (default 64: 4 shards of the default 256 images),
# at the checkpoint's T (or STEPS). Prints every run's wall
# and user-CPU seconds, the ratio of the median wall times, and checks that both give the same bytes.
# Run it on an otherwise idle machine: the ratio is only meaningful when two cores are free.
#   bash bench/threads_ab.sh [N=256] [R=3] [WORKDIR]
#   STEPS=64 SHARD_IMAGES=128 bash bench/threads_ab.sh 256 3
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
V="$root/.build/release/vdmz"
n="${1:-256}"
rounds="${2:-3}"
work="${3:-$(mktemp -d)}"
corpora="${VDMZ_CORPORA:-$root/../shared/corpora}"
steps=(); [ -n "${STEPS:-}" ] && steps=(--steps "$STEPS")
shard=(--shard-images "${SHARD_IMAGES:-64}")
cd "$work"
python3 -c "import numpy as np, sys; np.save('ab.npy', np.load(sys.argv[1])[:int(sys.argv[2])])" \
    "$corpora/cifar10/test_images.npy" "$n"
declare -A wall
run() {  # label, command…: appends "wall user" to the label's list
    local label="$1"; shift
    /usr/bin/time -o time.txt -f "%e %U" "$@" >/dev/null
    local out; out=$(tail -1 time.txt)
    echo "$label: wall ${out% *} s, user ${out#* } s"
    wall[$label]="${wall[$label]:-} ${out% *}"
}
for r in $(seq "$rounds"); do
    for t in 1 2; do
        run "compress t$t" "$V" compress -q --force --coder bits-back "${steps[@]}" "${shard[@]}" --threads "$t" -o "ab_t$t.vdmz" ab.npy
    done
    cmp ab_t1.vdmz ab_t2.vdmz || { echo "threads 1 and 2 gave different bytes"; exit 1; }
    for t in 1 2; do
        rm -rf "out_t$t" && mkdir "out_t$t"
        run "decompress t$t" "$V" decompress -q --threads "$t" -d "out_t$t" ab_t1.vdmz
    done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "$(stat -c %s ab_t1.vdmz) bytes, identical for 1 and 2 threads; $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
for what in compress decompress; do
    one=$(echo "${wall[$what t1]}" | median); two=$(echo "${wall[$what t2]}" | median)
    echo "$what: median wall $one s (1 thread) / $two s (2 threads) = $(echo "scale=2; $one / $two" | bc)×"
done
