#!/usr/bin/env bash
# usage: ab12.sh OLD NEW ROUNDS IMAGE — interleaved compress: old th1, new th1, old th2, new th2 per round; bytes compared
set -eu
OLD=$1; NEW=$2; R=$3; IMG=$4; shift 4
for r in $(seq 1 $R); do
  for th in 1 2; do for v in old new; do
    b=$OLD; [ $v = new ] && b=$NEW
    /usr/bin/time -o t.txt -f "%e %U" $b compress -q --force "$@" --threads $th $IMG -o $v$th.vdmz
    echo "$v th$th $(cat t.txt)"
  done; done
  cmp old1.vdmz new1.vdmz && cmp old1.vdmz new2.vdmz && cmp old1.vdmz old2.vdmz || { echo BYTES DIFFER; exit 1; }
done
