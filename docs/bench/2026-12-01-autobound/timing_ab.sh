#!/usr/bin/env bash
# old auto (every coder run) against new auto (bits-back left out by its bound), interleaved, 2 threads.
set -euo pipefail
OLD=$1; NEW=$2; ROUNDS=${3:-2}; shift 3
cd "$(mktemp -d)"
for r in $(seq 1 "$ROUNDS"); do
  for img in "$@"; do
    for v in old new; do
      bin=$OLD; [ $v = new ] && bin=$NEW
      /usr/bin/time -o t.txt -f "%e %U" "$bin" compress -q --force --threads 2 "$img" -o $v.vdmz
      echo "$r $(basename "$img") $v $(cat t.txt) $(stat -c %s $v.vdmz)"
    done
    cmp -s old.vdmz new.vdmz && echo "$r $(basename "$img") same-bytes" || echo "$r $(basename "$img") DIFFERENT"
  done
done
