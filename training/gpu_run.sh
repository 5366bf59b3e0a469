#!/usr/bin/env bash
# One-command training session on a GPU machine (made for one NVIDIA H200 lent for ten minutes):
#
#     bash training/gpu_run.sh OUTDIR [extra training.train flags…]
#
# Resumes the committed run state (training/state/netdec, the main run; copied to OUTDIR/run first; an existing
# OUTDIR/run/checkpoint.pt is resumed instead) on the packed data (training/packed, made beforehand with
# `python3 -m training.pack_data --out training/packed`; nothing else is read from outside the repository),
# with a large batch (the lr scaled by the square-root rule and ramped over 500 steps, recorded in the
# config's "changes"), bf16 residual blocks, crops drawn on the GPU and no per-step host sync. It evaluates
# at the start, every 2 minutes and at the end (eval.csv), and stops by itself so that the final
# evaluation and checkpoint are written within VDMZ_MINUTES (default 9) of this script's start.
#
# OUTDIR gets: run/checkpoint.pt, run/config.json, run/train.csv, run/eval.csv, gpu_run.log, env.txt
# (6 files, each well under 16 MiB). Settings (environment): VDMZ_MINUTES (9), VDMZ_BATCH (1024),
# VDMZ_AMP (bf16 | none), VDMZ_STATE (training/state/netdec), VDMZ_PACKED (training/packed),
# VDMZ_DEVICE (cuda; cpu only for the test), VDMZ_THREADS (8), PYTHON (python3).
set -uo pipefail
START=$(date +%s)
if [ $# -lt 1 ]; then
    echo "usage: bash training/gpu_run.sh OUTDIR [extra training.train flags]" >&2
    exit 2
fi
OUTDIR=$1
shift
cd "$(dirname "$0")/.." || exit 2
MINUTES=${VDMZ_MINUTES:-9}
BATCH=${VDMZ_BATCH:-1024}
AMP=${VDMZ_AMP:-bf16}
STATE=${VDMZ_STATE:-training/state/netdec}
PACKED=${VDMZ_PACKED:-training/packed}
DEVICE=${VDMZ_DEVICE:-cuda}
THREADS=${VDMZ_THREADS:-8}
PY=${PYTHON:-python3}
mkdir -p "$OUTDIR" || exit 2
LOG=$OUTDIR/gpu_run.log
: > "$LOG"
say() { echo "gpu_run: $*" | tee -a "$LOG"; }
fail() { say "ERROR: $*"; exit 1; }

command -v "$PY" > /dev/null || fail "no $PY on PATH (set PYTHON=/path/to/python3 with PyTorch)"
"$PY" - "$DEVICE" > "$OUTDIR/env.txt" 2>&1 <<'EOF' || { tee -a "$LOG" < "$OUTDIR/env.txt"; fail "$PY cannot run the trainer here (see env.txt)"; }
import sys, platform
print("python", sys.version.split()[0], platform.machine())
try:
    import torch, numpy, PIL
except ImportError as e:
    sys.exit(f"missing Python package: {e.name} (the trainer needs torch, numpy and pillow)")
print("torch", torch.__version__, "cuda", torch.version.cuda, "numpy", numpy.__version__, "pillow", PIL.__version__)
if sys.argv[1] == "cuda":
    if not torch.cuda.is_available():
        sys.exit("torch.cuda.is_available() is False: no usable GPU for this PyTorch")
    p = torch.cuda.get_device_properties(0)
    print("gpu", p.name, f"{p.total_memory / 2**30:.0f} GiB", f"{p.multi_processor_count} SMs", f"sm_{p.major}{p.minor}")
EOF
cat "$OUTDIR/env.txt" | tee -a "$LOG"
command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader >> "$OUTDIR/env.txt" 2>&1

[ -f "$PACKED/manifest.json" ] || fail "$PACKED/manifest.json missing: run 'python3 -m training.pack_data --out $PACKED' on a machine with the corpora and carry $PACKED (device tool: carry [\"$PACKED\"])"
if [ ! -f "$OUTDIR/run/checkpoint.pt" ]; then
    [ -f "$STATE/checkpoint.pt" ] || fail "$STATE/checkpoint.pt missing"
    mkdir -p "$OUTDIR/run" && cp "$STATE"/checkpoint.pt "$STATE"/config.json "$OUTDIR/run/" || fail "cannot copy $STATE"
    for f in train.csv eval.csv; do [ -f "$STATE/$f" ] && cp "$STATE/$f" "$OUTDIR/run/"; done
    say "copied $STATE to $OUTDIR/run"
else
    say "resuming $OUTDIR/run"
fi

DEADLINE=$(awk -v s="$START" -v m="$MINUTES" 'BEGIN { printf "%d", s + 60 * m - 10 }')  # saved and exited by then
say "start $(date -u +%FT%TZ), deadline in $((DEADLINE - START)) s; batch $BATCH, amp $AMP, device $DEVICE"
PYTHONUNBUFFERED=1 "$PY" -m training.train --run "$OUTDIR/run" --packed "$PACKED" --device "$DEVICE" \
    --threads "$THREADS" --batch "$BATCH" --amp "$AMP" --sampler torch --fused \
    --eval-at-start --final-eval --eval-minutes 2 --ckpt-minutes 3 --log-every 200 \
    --deadline "$DEADLINE" "$@" 2>&1 | tee -a "$LOG"
rc=${PIPESTATUS[0]}
rm -f "$OUTDIR"/run/*.tmp
say "trainer exit $rc after $(( $(date +%s) - START )) s"
ls -l "$OUTDIR" "$OUTDIR/run" >> "$LOG"
exit "$rc"
