# The whole rate cost of the default layout against one chain: 2,048 CIFAR-10 images (the 500 test
# images, then the first 1,548 training images; c2048.npy from make_data.py), T = 64, as one chain
# (--chain-pixels 0 --shard-images 2048) and with the defaults (2 shards of 1,024 images, 8 chains each).
cd "${WORK:-.}"
M=${MODEL:?the shipped checkpoint}
V=${VDMZ:-vdmz}
for spec in "one --chain-pixels 0 --shard-images 2048" "default"; do
  set -- $spec
  name=$1; shift
  /usr/bin/time -f "$name: %e s wall, %U s user" $V compress -q --force --model $M --coder bits-back "$@" -o r2048-$name.vdmz c2048.npy
  ls -l r2048-$name.vdmz
done
