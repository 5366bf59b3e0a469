cd "${WORK:-.}"
M=${MODEL:?the shipped checkpoint}
for cp in 0 131072; do
  echo "== chain-pixels $cp"
  ${VDMZ_BENCH:-vdmz-bench} chain --model $M --npy cifar500.npy --chain-pixels $cp --threads 2
done
