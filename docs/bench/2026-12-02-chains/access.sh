# Random access against a whole decode: 10,000 CIFAR-10 images (test then train, cycled), T = 4.
cd "${WORK:-.}"
M=${MODEL:?the shipped checkpoint, Sources/Model/Resources/default.safetensors}
V=${VDMZ:-vdmz}
T() { /usr/bin/time -f "%e s wall, %U s user, %S s sys" "$@"; }
T $V compress -q --force --model $M --coder bits-back --steps 4 --allow-expansion -o k10.vdmz c10k.npy
ls -l k10.vdmz
$V info k10.vdmz | head -12
rm -rf whole && mkdir whole
echo "== whole decode"; T $V decompress -q --model $M --threads 2 -d whole k10.vdmz
echo "== whole decode again"; rm -rf whole && mkdir whole; T $V decompress -q --model $M --threads 2 -d whole k10.vdmz
for i in 00000 00128 00441 01018 01804 02253 02862 04078 04135 04559 04745 04971 05200 05990 06294 06579 06785 06874 08218 08552 08850 09030; do
  rm -rf one && mkdir one
  echo "== only $i"; T $V decompress -q --model $M --threads 2 -d one --only c10k_$i.png k10.vdmz
  cmp one/c10k_$i.png whole/c10k_$i.png || echo MISMATCH
done
