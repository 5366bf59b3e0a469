#!/usr/bin/env bash
# The measurements of README.md beside this file. Usage (from the repository root, after
# `swift build -c release --product vdmz`):  bash docs/bench/2026-12-01-hybrid/run.sh [OUT_DIR]
# Every line printed by /usr/bin/time is "<what> <user s> <system s> <wall s> <max RSS KB>".
set -u
B=$(pwd)/.build/release/vdmz
OUT=${1:-/tmp/hybrid-bench}; mkdir -p "$OUT"; cd "$OUT"
KODAK=${VDMZ_CORPORA:-/work/shared/corpora}/kodak
IMG=$OLDPWD/bench/images/screenshot-photo.png
same() { python3 -c "from PIL import Image; import sys; print('$3 exact', Image.open(sys.argv[1]).convert('RGB').tobytes() == Image.open(sys.argv[2]).convert('RGB').tobytes())" "$1" "$2"; }
for c in context hybrid bits-back auto; do
  /usr/bin/time -f "screenshot $c encode %U %S %e %M" $B compress -q --coder $c "$IMG" -o s-$c.vdmz --force --threads 1
  /usr/bin/time -f "screenshot $c decode %U %S %e %M" $B decompress -q s-$c.vdmz -o s-$c.png --force --threads 1
  same "$IMG" s-$c.png "screenshot $c"; echo "screenshot $c bytes $(stat -c %s s-$c.vdmz)"
done
$B info s-hybrid.vdmz
/usr/bin/time -f "screenshot hybrid threads 2 encode %U %S %e %M" $B compress -q --coder hybrid "$IMG" -o s-hybrid-t2.vdmz --force --threads 2
cmp s-hybrid.vdmz s-hybrid-t2.vdmz && echo "threads 1 and 2: identical bytes"
for s in 32 48 96 128; do
  /usr/bin/time -f "screenshot hybrid-$s encode %U %S %e %M" $B compress -q --coder hybrid --region-side $s "$IMG" -o s-hybrid-$s.vdmz --force --threads 1
  echo "screenshot hybrid-$s bytes $(stat -c %s s-hybrid-$s.vdmz)"; $B info s-hybrid-$s.vdmz | sed -n '/regions/,$p'
done
cjxl -d 0 -e 9 "$IMG" s.jxl --quiet; echo "cjxl -d 0 -e 9 bytes $(stat -c %s s.jxl)"
zopflipng -y "$IMG" s-zopfli.png > /dev/null; echo "zopflipng bytes $(stat -c %s s-zopfli.png)"
cwebp -lossless -z 9 -quiet "$IMG" -o s.webp; echo "cwebp -lossless -z 9 bytes $(stat -c %s s.webp)"
for k in kodim05 kodim20; do
  for c in hybrid auto; do
    /usr/bin/time -f "$k $c encode %U %S %e %M" $B compress -q --coder $c $KODAK/$k.png -o $k-$c.vdmz --force --threads 1
    /usr/bin/time -f "$k $c decode %U %S %e %M" $B decompress -q $k-$c.vdmz -o $k-$c.png --force --threads 1
    same $KODAK/$k.png $k-$c.png "$k $c"; echo "$k $c bytes $(stat -c %s $k-$c.vdmz)"; $B info $k-$c.vdmz | sed -n '/coder:/p;/regions/,$p'
  done
  /usr/bin/time -f "$k hybrid-128 encode %U %S %e %M" $B compress -q --coder hybrid --region-side 128 $KODAK/$k.png -o $k-hybrid-128.vdmz --force --threads 1
  echo "$k hybrid-128 bytes $(stat -c %s $k-hybrid-128.vdmz)"; $B info $k-hybrid-128.vdmz | sed -n '/regions/,$p'
done
