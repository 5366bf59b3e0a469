#!/usr/bin/env bash
# Bytes of this build against another build (e.g. main's): kodim05 at T = 2, a 320×240 crop of kodim20 at
# T = 4 and 40 CIFAR-10 test images as one dataset at T = 8, this build at 1, 2 and 3 threads; then
# decodes two of them with this build. Exit status 1 if any file differs.
#   bash same_bytes.sh OTHER_VDMZ [THIS_VDMZ] [WORKDIR]
set -u
root="$(cd "$(dirname "$0")/../../.." && pwd)"
OLD=$1; NEW=${2:-$root/.build/release/vdmz}; work=${3:-$(mktemp -d)}
corpora="$root/../shared/corpora"
mkdir -p "$work" && cd "$work"
python3 - "$corpora" <<'PY'
import os, sys, numpy as np
from PIL import Image
corpora = sys.argv[1]
a = np.load(f'{corpora}/cifar10/test_images.npy', mmap_mode='r')
os.makedirs('cifar40', exist_ok=True)
for i in range(40): Image.fromarray(np.asarray(a[i])).save(f'cifar40/{i:03d}.png')
Image.open(f'{corpora}/kodak/kodim20.png').convert('RGB').crop((100, 50, 420, 290)).save('crop320.png')
PY
fail=0
run() { # name T inputs...
  local name=$1 T=$2; shift 2
  nice -n 5 "$OLD" compress -q --force --allow-expansion --coder bits-back --steps "$T" --threads 2 "$@" -o "$name.old.vdmz"
  for t in 1 2 3; do
    nice -n 5 "$NEW" compress -q --force --allow-expansion --coder bits-back --steps "$T" --threads $t "$@" -o "$name.t$t.vdmz"
    if cmp -s "$name.old.vdmz" "$name.t$t.vdmz"; then echo "$name T=$T threads $t: same bytes ($(stat -c %s "$name.t$t.vdmz"))"
    else echo "$name T=$T threads $t: DIFFERENT"; fail=1; fi
  done
}
run kodim05 2 "$corpora/kodak/kodim05.png"
run crop320 4 crop320.png
run cifar40 8 cifar40/*.png
check() { # vdmz original threads
  nice -n 5 "$NEW" decompress -q --force --threads "$3" "$1" -o decoded.png && python3 -c "
from PIL import Image; import sys
a, b = (Image.open(p).convert('RGB').tobytes() for p in sys.argv[1:3]); print(sys.argv[3], 'decoded', 'exactly' if a == b else 'WRONG')
sys.exit(0 if a == b else 1)" "$2" decoded.png "$1" || fail=1
}
check crop320.t1.vdmz crop320.png 2
check kodim05.t2.vdmz "$corpora/kodak/kodim05.png" 1
exit $fail
