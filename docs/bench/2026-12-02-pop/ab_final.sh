#!/usr/bin/env bash
set -u
K=/work/shared/corpora/kodak/kodim20.png; M=/work/main/Sources/Model/Resources/default.safetensors
cd /tmp/ab
pkill -USR1 -f "training.train --run /work/runs/netdec --eval"; sleep 3
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in 1 2 3 4 5; do
  for v in x n; do
    /tmp/$v/vdmz-bench model --model $M --threads 2 --size 768x512 --repeats 3 2>&1 | tail -1 | sed "s/^/$v pass /"
    /usr/bin/time -f "$v compress %e s wall %U user" /tmp/$v/vdmz compress -q --force --allow-expansion --coder bits-back --threads 2 --model $M $K -o $v.vdmz
    [ $r -le 2 ] && /usr/bin/time -f "$v decompress %e s wall %U user" /tmp/$v/vdmz decompress -q --force --threads 2 --model $M $v.vdmz -o $v.png
  done
  cmp x.vdmz n.vdmz && echo "round $r: same bytes"
done
pkill -USR2 -f "training.train --run /work/runs/netdec --eval"
echo done
