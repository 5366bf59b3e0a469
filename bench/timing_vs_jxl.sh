#!/usr/bin/env bash
# Encode/decode wall time of vdmz (default model and T) beside cjxl -d 0 -e 9 / djxl, in one run, on the
# same files: a 32×32 image (cifar-500 image 0) and a Kodak image. Every decode is checked pixel-exact.
# Usage: bash bench/timing_vs_jxl.sh [THREADS]   (needs: apt-get install libjxl-tools; ../shared corpora)
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${1:-2}"
vdmz="$(swift build -c release --show-bin-path)/vdmz"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import sys, numpy as np
from PIL import Image
a = np.load('../shared/corpora/cifar10/test_images.npy')
Image.fromarray(a[0]).save(sys.argv[1] + '/cifar0.png')
PY
cp ../shared/corpora/kodak/kodim23.png "$work/kodim23.png"
now() { date +%s.%N; }
printf '%-12s %-22s %10s %10s %12s\n' image codec encode_s decode_s bits/subpix
for name in cifar0 kodim23; do
    src="$work/$name.png"
    pixels=$(python3 -c "from PIL import Image; im=Image.open('$src'); print(im.size[0]*im.size[1]*3)")
    t0=$(now); "$vdmz" compress -q --threads "$threads" "$src" -o "$work/$name.vdmz"; t1=$(now)
    "$vdmz" decompress -q --threads "$threads" "$work/$name.vdmz" -o "$work/$name.vdmz.png"; t2=$(now)
    python3 -c "from PIL import Image; import numpy as np, sys; sys.exit(0 if (np.asarray(Image.open('$src'))==np.asarray(Image.open('$work/$name.vdmz.png'))).all() else 1)"
    size=$(stat -c %s "$work/$name.vdmz")
    printf '%-12s %-22s %10.2f %10.2f %12.4f\n' "$name" "vdmz (T default)" "$(echo "$t1-$t0" | bc)" "$(echo "$t2-$t1" | bc)" "$(echo "8*$size/$pixels" | bc -l)"
    t0=$(now); cjxl -d 0 -e 9 "$src" "$work/$name.jxl" >/dev/null 2>&1; t1=$(now)
    djxl "$work/$name.jxl" "$work/$name.jxl.png" >/dev/null 2>&1; t2=$(now)
    python3 -c "from PIL import Image; import numpy as np, sys; sys.exit(0 if (np.asarray(Image.open('$src').convert('RGB'))==np.asarray(Image.open('$work/$name.jxl.png').convert('RGB'))).all() else 1)"
    size=$(stat -c %s "$work/$name.jxl")
    printf '%-12s %-22s %10.2f %10.2f %12.4f\n' "$name" "cjxl -d 0 -e 9" "$(echo "$t1-$t0" | bc)" "$(echo "$t2-$t1" | bc)" "$(echo "8*$size/$pixels" | bc -l)"
done
