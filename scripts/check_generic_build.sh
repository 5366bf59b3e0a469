#!/usr/bin/env bash
# Portability check (docs/DESIGN.md §3): builds `vdmz` with VDMZ_TARGET_CPU=generic (no -target-cpu, so
# no AVX2/FMA instructions: fused multiply-add runs in software, as on a CPU without FMA) into
# .build-generic, then checks that this build
#   - decodes every golden file (Tests/Golden, every version, the golden models — the network-decoder one
#     for *netdec* — and the first release's full-size model) — decompress itself verifies the container's SHA-256 pixel digest, and the
#     single RGB image is also compared pixel by pixel with its PNG;
#   - encodes the golden PNGs to the same bytes as the committed golden files.
# Prints one line per check and "generic build: N passed, M failed"; exit status 0 only if all passed.
# Cost: one debug build of vdmz and its dependencies (swift-crypto included); measured on the project's
# shared 2-core machine: 2 min 38 s of CPU (8 min 16 s wall under other load), incremental afterwards.
set -uo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
golden="$root/Tests/Golden"
# Python with numpy and Pillow: $PYTHON, else the project's .venv (scripts/setup.sh), else python3.
python="${PYTHON:-$root/.venv/bin/python}"
[ -x "$python" ] || python=python3
if ! VDMZ_TARGET_CPU=generic swift build --scratch-path .build-generic --product vdmz >/tmp/vdmz-generic-build.$$ 2>&1; then
    tail -20 /tmp/vdmz-generic-build.$$; rm -f /tmp/vdmz-generic-build.$$
    echo "generic build: 0 passed, 1 failed (build)"; exit 1
fi
rm -f /tmp/vdmz-generic-build.$$
vdmz="$(VDMZ_TARGET_CPU=generic swift build --scratch-path .build-generic --show-bin-path)/vdmz"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
passed=0; failed=0
check() {  # check NAME COMMAND…: runs the command, counts and prints the result
    local name="$1"; shift
    if "$@" >"$scratch/log" 2>&1; then passed=$((passed + 1)); echo "ok    $name"
    else failed=$((failed + 1)); echo "FAIL  $name"; sed 's/^/      /' "$scratch/log" | tail -5; fi
}
# The generic build really lacks the x86-64 FMA instructions (vfmadd…), where that can be seen.
if [ "$(uname -m)" = x86_64 ] && command -v objdump >/dev/null; then
    check "no FMA instructions in the generic binary" bash -c "! objdump -d '$vdmz' | grep -q vfmadd"
fi
model="$golden/model.safetensors"
released="$golden/released/rgb8-23x17-model6caaca44.vdmz"
# Decoding: every golden archive restores (pixel digest verified by vdmz itself).
for file in "$golden"/*.vdmz "$released"; do
    name="$(basename "$file")"
    case "$name" in
        set*|context*.vdmz) mkdir -p "$scratch/d-$name"; args=(decompress -q --force -d "$scratch/d-$name" "$file") ;;
        *) args=(decompress -q --force -o "$scratch/$name.png" "$file") ;;
    esac
    case "$name" in
        *model6caaca44*) ;;                 # names its released checkpoint; vdmz finds it
        set-stored*) ;;                     # no model
        *netdec*) args+=(--model "$golden/model-netdec.safetensors") ;;   # the network decoder p(x | z_0)
        *) args+=(--model "$model") ;;
    esac
    check "decode $name" "$vdmz" "${args[@]}"
done
# The single RGB image pixel by pixel against its PNG (Pillow), from both models and every version.
for name in rgb8-23x17.png.vdmz rgb8-23x17-chain2.vdmz rgb8-23x17-v1.vdmz rgb8-23x17-model6caaca44.vdmz \
    rgb8-23x17-netdec.vdmz; do
    check "pixels of $name" "$python" -c "
import sys, numpy as np; from PIL import Image
a = np.asarray(Image.open('$golden/rgb8-23x17.png')); b = np.asarray(Image.open(sys.argv[1]))
sys.exit(0 if a.shape == b.shape and (a == b).all() else 1)" "$scratch/$name.png"
done
# Encoding: the golden PNGs give the committed bytes (as Tests/Golden/make_golden.py made them).
set_inputs=(rgba16-7x5.png gray8-1x1.png palette-9x4.png graya16-3x8.png)
(cd "$golden" && check "encode rgb8-23x17.png.vdmz" bash -c \
    "'$vdmz' compress -q --force --coder bits-back --model '$model' --steps 6 -o '$scratch/e1.vdmz' rgb8-23x17.png && cmp '$scratch/e1.vdmz' rgb8-23x17.png.vdmz"
 check "encode rgb8-23x17-netdec.vdmz" bash -c \
    "'$vdmz' compress -q --force --coder bits-back --model model-netdec.safetensors --steps 6 -o '$scratch/e4.vdmz' rgb8-23x17.png && cmp '$scratch/e4.vdmz' rgb8-23x17-netdec.vdmz"
 check "encode set.vdmz" bash -c \
    "'$vdmz' compress -q --force --coder bits-back --model '$model' --steps 6 -o '$scratch/e2.vdmz' ${set_inputs[*]} && cmp '$scratch/e2.vdmz' set.vdmz"
 check "encode set-stored.vdmz" bash -c \
    "'$vdmz' compress -q --force --coder stored -o '$scratch/e3.vdmz' ${set_inputs[*]} && cmp '$scratch/e3.vdmz' set-stored.vdmz"
 echo "$passed $failed" >"$scratch/counts")
read -r passed failed <"$scratch/counts"
echo "generic build: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
