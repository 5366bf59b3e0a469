#!/usr/bin/env bash
# Measures sharded dataset archives (docs/DISTRIBUTED.md, "Measurements"): rate cost per shard, threads
# 1 vs 2 (bytes and time), random access with bits-back (4 shards of 50) and with the stored coder on a
# 10,000-image archive; one chain per shard (--chain-pixels 0: shards as they were before chain groups). Needs ../shared/corpora/cifar10 and a release build; about 15 CPU-minutes.
#   bash bench/shards.sh [WORKDIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
V="$root/.build/release/vdmz"
work="${1:-$(mktemp -d)}"
cd "$work"
python3 - "$root/../shared/corpora/cifar10" <<'PY'
import sys, numpy as np
d = sys.argv[1]
test, train = np.load(f"{d}/test_images.npy"), np.load(f"{d}/train_images.npy")
np.save("cifar200.npy", test[:200])
np.save("train10k.npy", np.concatenate([np.concatenate([train, test])] * 3)[:10000])
PY
t() { local s e; s=$(date +%s.%N); "$@"; e=$(date +%s.%N); echo "$(echo "$e - $s" | bc) s: $*"; }
size() { echo "$1: $(stat -c %s "$1") bytes"; }
t "$V" compress -q --force --chain-pixels 0 --shard-images 200 --threads 2 -o one.vdmz cifar200.npy; size one.vdmz
t "$V" compress -q --force --chain-pixels 0 --shard-images 50 --threads 2 -o s4t2.vdmz cifar200.npy; size s4t2.vdmz
t "$V" compress -q --force --chain-pixels 0 --shard-images 50 --threads 1 -o s4t1.vdmz cifar200.npy; size s4t1.vdmz
cmp s4t1.vdmz s4t2.vdmz && echo "threads 1 and 2: identical bytes"
rm -rf bbone bball && mkdir bbone bball
t "$V" decompress -q --threads 2 -d bbone --only cifar200_00123.png s4t2.vdmz
t "$V" decompress -q --threads 2 -d bball s4t2.vdmz
t "$V" compress -q --force --coder stored -o ra10k.vdmz train10k.npy
rm -rf all one && mkdir all one
t "$V" decompress -q -d all ra10k.vdmz
t "$V" decompress -q -d one --only train10k_07777.png ra10k.vdmz
