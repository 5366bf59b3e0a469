#!/usr/bin/env bash
# Builds the libFuzzer target and fuzzes the decoding path.
#   bash fuzz/run.sh [SECONDS] [JOBS]      (defaults: 60 s, 1 job)
# New corpus entries go to fuzz/work/corpus (not committed); crashes, timeouts and out-of-memory inputs
# to fuzz/work/artifacts. Seeds: Tests/Golden/*.vdmz (the golden files) and fuzz/seeds/ (smaller ones).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
jobs=${2:-1}
# AddressSanitizer as well: the ANS and model targets build with -Ounchecked (no bounds checks), so
# ASan is what catches an out-of-bounds access there.
swift build -c release --sanitize=fuzzer --sanitize=address --product vdmz-fuzz 2>&1 | tail -1
mkdir -p work/corpus work/artifacts work/golden
cp ../Tests/Golden/*.vdmz work/golden/
parallel=()
if [ "$jobs" -gt 1 ]; then parallel=(-jobs="$jobs" -workers="$jobs"); fi
# -timeout: one input may decode for at most 10 s (the probe skips inputs declaring more than 2^16
# pixel-steps); -rss_limit_mb / -malloc_limit_mb: any allocation beyond them is a finding.
# Swift's own backtracer would catch the trap before libFuzzer saves the input.
export SWIFT_BACKTRACE=enable=no
exec ./.build/release/vdmz-fuzz work/corpus work/golden seeds regressions \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=16384 \
    -artifact_prefix=work/artifacts/ -print_final_stats=1 "${parallel[@]}"
