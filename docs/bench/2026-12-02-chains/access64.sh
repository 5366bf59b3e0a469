# Random access at T = 64 on rate.sh's default archive (2,048 CIFAR-10 images: 2 shards of a lender and 14
# borrowers): a whole decode against `--only` of 20 uniformly drawn images (seed 17) and two worst cases.
# The ratio for 10,000 such images follows by count (a whole decode scales with the images).
cd "${WORK:-.}"
M=${MODEL:?the shipped checkpoint}
V=${VDMZ:-vdmz}
T() { /usr/bin/time -f "%e s wall, %U s user, %S s sys" "$@"; }
rm -rf whole && mkdir whole
echo "== whole decode"; T $V decompress -q --model $M --threads 2 -d whole r2048-default.vdmz
for i in 00000 00128 00110 00254 00451 00563 00572 00618 00715 00805 00860 01019 01033 01139 01186 01242 01300 01497 01573 01644 01696 01718; do
  rm -rf one && mkdir one
  echo "== only $i"; T $V decompress -q --model $M --threads 2 -d one --only c2048_$i.png r2048-default.vdmz
  cmp one/c2048_$i.png whole/c2048_$i.png || echo MISMATCH
done
