#!/usr/bin/env bash
# Issue 14, "code at the speed of the network", measured side by side in one run:
#   (i)   one 768×512 network pass (`vdmz-bench model`, best of R rounds) at 1 and 2 threads, times T;
#   (ii)  `vdmz compress` and `vdmz decompress` of a Kodak image (kodim20) at 2 threads, against T passes
#         (goal: ≤ 1.15×);
#   (iii) `vdmz compress` of its 256×256 crop at (200, 100), --threads 1 and 2 interleaved A/B/A/B for R
#         rounds (goal: median wall of 1 thread ≥ 1.8× that of 2), with `--coder bits-back` and with the
#         default coder (auto, what a user runs: bits-back, then the classical coder), and the bytes of
#         1, 2 and 3 threads compared (identical, or the script fails).
# Every run prints wall and user-CPU seconds. On a loaded machine wall ratios are off (a second thread
# buys less than a core): compare user CPU too, and say what the load was (printed at the start and end).
#   bash bench/speed_ab.sh [--steps T] [--rounds R] [--image PNG] [--workdir DIR]
# Defaults: T = 64 (the shipped checkpoint's), R = 2, ../shared/corpora/kodak/kodim20.png. VDMZ and
# VDMZ_BENCH (environment) time other binaries, e.g. a build of an older commit. With VDMZ_OLD (and
# VDMZ_BENCH_OLD) set as well, every measurement runs that binary ("old") right before this one
# ("new"), interleaved, and the summary gives both, and their bytes must be identical, unless
# VDMZ_AB_FORMAT_CHANGE=1 (a new payload version: each binary then decodes its own file, and the sizes
# are printed). VDMZ_MODEL=CKPT passes `--model CKPT` to every compress (binaries of commits with
# different default checkpoints then code with the same one). Needs the
# release build (`swift build -c release`: vdmz and vdmz-bench), Python 3 with Pillow, GNU time.
# About 4 minutes at T = 64 on 2 free cores of the project's machine; time scales with T.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
V="${VDMZ:-$root/.build/release/vdmz}"            # VDMZ=/path/to/other/vdmz to time another build
B="${VDMZ_BENCH:-$root/.build/release/vdmz-bench}"
declare -A binary bench
binary[new]="$V"; bench[new]="$B"; versions="new"
if [ -n "${VDMZ_OLD:-}" ]; then
    binary[old]="$VDMZ_OLD"; bench[old]="${VDMZ_BENCH_OLD:-$B}"; versions="old new"
fi
steps=64
rounds=2
image="$root/../shared/corpora/kodak/kodim20.png"
work=""
while [ $# -gt 0 ]; do
    case "$1" in
        --steps) steps="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --image) image="$2"; shift 2 ;;
        --workdir) work="$2"; shift 2 ;;
        *) echo "usage: $0 [--steps T] [--rounds R] [--image PNG] [--workdir DIR]" >&2; exit 2 ;;
    esac
done
for tool in "$V" "$B" "$image" ${VDMZ_OLD:-} ${VDMZ_BENCH_OLD:-}; do [ -e "$tool" ] || { echo "missing $tool" >&2; exit 2; }; done
[ -n "$work" ] || work="$(mktemp -d)"
mkdir -p "$work"
cd "$work"
echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); T = $steps; $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'); $image"
python3 -c "from PIL import Image; import sys; Image.open(sys.argv[1]).convert('RGB').crop((200, 100, 456, 356)).save('crop.png')" "$image"

model=()
[ -z "${VDMZ_MODEL:-}" ] || model=(--model "$VDMZ_MODEL")
declare -A wall user
run() {  # label, command…: prints and records "wall user"
    local label="$1"; shift
    /usr/bin/time -o time.txt -f "%e %U" "$@" >/dev/null
    local out; out=$(tail -1 time.txt)
    printf '%-22s wall %7.2f s   user %7.2f s\n' "$label" "${out% *}" "${out#* }"
    wall[$label]="${wall[$label]:-} ${out% *}"
    user[$label]="${user[$label]:-} ${out#* }"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

# (i) one 768×512 pass (best of the rounds; the GEMM peak of the same run for reference).
declare -A pass
for t in 1 2; do
    for v in $versions; do
        out=$("${bench[$v]}" model --threads "$t" --repeats "$((rounds + 1))")
        pass[$v$t]=$(echo "$out" | awk '/forward +768×512/ {for (i = 2; i <= NF; i++) if ($i == "ms") print $(i - 1) / 1000}')
        echo "$v: network pass 768×512, $t thread(s): ${pass[$v$t]} s ($(echo "$out" | grep -o '[0-9.]* % of GEMM peak' | tail -1))"
    done
done

# (ii) the whole Kodak image at 2 threads.
for v in $versions; do
    run "$v compress kodak t2" "${binary[$v]}" compress -q --force --allow-expansion "${model[@]}" --coder bits-back --steps "$steps" --threads 2 "$image" -o "kodak_$v.vdmz"
done
for v in $versions; do
    run "$v decompress kodak t2" "${binary[$v]}" decompress -q --force "${model[@]}" --threads 2 "kodak_$v.vdmz" -o "kodak_$v.png"
    python3 -c "
from PIL import Image; import sys
a, b = (Image.open(p).convert('RGB').tobytes() for p in sys.argv[1:])
sys.exit(0 if a == b else 'decoded pixels differ')" "$image" "kodak_$v.png"
done
same_bytes() { [ "$versions" = new ] || [ "${VDMZ_AB_FORMAT_CHANGE:-0}" = 1 ] || cmp "$1" "$2" || { echo "FAILED: old and new binaries gave different bytes"; exit 1; }; }
same_bytes kodak_old.vdmz kodak_new.vdmz

# (iii) the 256×256 crop at 1 and 2 threads, A/B/A/B.
for r in $(seq "$rounds"); do
    for t in 1 2; do
        for v in $versions; do
            run "$v compress crop t$t" "${binary[$v]}" compress -q --force --allow-expansion "${model[@]}" --coder bits-back --steps "$steps" --threads "$t" crop.png -o "crop_${v}_t$t.vdmz"
            # What a user runs: the default coder (auto: bits-back, then the classical coder and stored).
            run "$v compress crop auto t$t" "${binary[$v]}" compress -q --force --allow-expansion "${model[@]}" --steps "$steps" --threads "$t" crop.png -o "crop_auto_${v}_t$t.vdmz"
        done
    done
done
"$V" compress -q --force --allow-expansion "${model[@]}" --coder bits-back --steps "$steps" --threads 3 crop.png -o crop_new_t3.vdmz
cmp crop_new_t1.vdmz crop_new_t2.vdmz && cmp crop_new_t1.vdmz crop_new_t3.vdmz || { echo "FAILED: thread counts gave different bytes"; exit 1; }
same_bytes crop_old_t1.vdmz crop_new_t1.vdmz
cmp crop_auto_new_t1.vdmz crop_auto_new_t2.vdmz || { echo "FAILED: thread counts gave different bytes (auto)"; exit 1; }
same_bytes crop_auto_old_t1.vdmz crop_auto_new_t1.vdmz

echo
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "crop: $(stat -c %s crop_new_t1.vdmz) bytes, identical for 1, 2 and 3 threads; kodak: $(stat -c %s kodak_new.vdmz) bytes, decoded exactly"
[ "$versions" = new ] || echo "old binary: crop $(stat -c %s crop_old_t1.vdmz) bytes, kodak $(stat -c %s kodak_old.vdmz) bytes"
for v in $versions; do
    networkOne=$(awk -v p="${pass[${v}1]}" -v t="$steps" 'BEGIN {print p * t}')
    networkTwo=$(awk -v p="${pass[${v}2]}" -v t="$steps" 'BEGIN {print p * t}')
    echo "$v: T network passes on 768×512: $networkTwo s at 2 threads, $networkOne s at 1 thread"
    for what in compress decompress; do
        w=$(echo "${wall[$v $what kodak t2]}" | median); u=$(echo "${user[$v $what kodak t2]}" | median)
        echo "$v: $what kodak, 2 threads: wall $w s = $(ratio "$w" "$networkTwo")× T passes (goal ≤ 1.15); user CPU $u s = $(ratio "$u" "$networkOne")× T one-thread passes"
    done
    one=$(echo "${wall[$v compress crop t1]}" | median); two=$(echo "${wall[$v compress crop t2]}" | median)
    u1=$(echo "${user[$v compress crop t1]}" | median); u2=$(echo "${user[$v compress crop t2]}" | median)
    echo "$v: compress crop: median wall $one s (1 thread) / $two s (2 threads) = $(ratio "$one" "$two")× (goal ≥ 1.8); user CPU $u1 / $u2 s"
    one=$(echo "${wall[$v compress crop auto t1]}" | median); two=$(echo "${wall[$v compress crop auto t2]}" | median)
    echo "$v: compress crop, default coder (auto): median wall $one s (1 thread) / $two s (2 threads) = $(ratio "$one" "$two")× (goal ≥ 1.8)"
done
