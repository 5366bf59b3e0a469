#!/usr/bin/env bash
# Runs the whole test suite: set-up (idempotent), Python tests (training, bench), then the Swift tests.
# Ends with one summary line "tests: N passed, M failed" over both.
# Time on 2 cores: about 15 minutes on a fresh clone (the release, debug and generic builds take most of it),
# about 4 minutes once built.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "tests: set-up and builds first (a fresh clone takes about 15 minutes on 2 cores, a built one about 4)"
bash scripts/setup.sh
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
.venv/bin/python -m pytest -q training/tests bench/tests scale/tests 2>&1 | tee "$log"
python_status=${PIPESTATUS[0]}
python_summary=$(grep -E "^[0-9]+ passed|[0-9]+ passed" "$log" | tail -1)
swift test 2>&1 | tee "$log"
swift_status=${PIPESTATUS[0]}
# The portable build (VDMZ_TARGET_CPU=generic): golden files decode and encode to the same bytes.
bash scripts/check_generic_build.sh 2>&1 | tee -a "$log.generic"
generic_status=${PIPESTATUS[0]}
generic_line=$(grep -E "^generic build: " "$log.generic" | tail -1); rm -f "$log.generic"
# The Swift sources are laid out as .swift-format says (fix with: bash scripts/check_format.sh --fix).
format_line=$(bash scripts/check_format.sh 2>&1 | tee -a /dev/stderr | grep -E "^format: " | tail -1)
set -e
count() { echo "$1" | grep -oE "[0-9]+ $2" | head -1 | grep -oE "[0-9]+" || echo 0; }
py_passed=$(count "$python_summary" passed); py_failed=$(count "$python_summary" failed)
# XCTest's last line: "Executed N tests, with M failures" or, when tests skip (no ../shared),
# "Executed N tests, with K tests skipped and M failures" (skipped tests count as neither).
swift_line=$(grep -E "Executed [0-9]+ tests?, with ([0-9]+ tests? skipped and )?[0-9]+ failures?" "$log" | tail -1)
swift_total=$(echo "$swift_line" | grep -oE "Executed [0-9]+" | grep -oE "[0-9]+" || echo 0)
swift_skipped=$(echo "$swift_line" | grep -oE "[0-9]+ tests? skipped" | grep -oE "[0-9]+" || echo 0)
swift_failed=$(echo "$swift_line" | grep -oE "[0-9]+ failures?" | grep -oE "[0-9]+" || echo 0)
swift_total=$((swift_total - swift_skipped))
# A runner that failed without reporting failures (e.g. a build error) still counts as one failure.
[ "$python_status" -ne 0 ] && [ "$py_failed" -eq 0 ] && py_failed=1
[ "$swift_status" -ne 0 ] && [ "$swift_failed" -eq 0 ] && swift_failed=1
gen_passed=$(count "$generic_line" passed); gen_failed=$(count "$generic_line" failed)
[ "$generic_status" -ne 0 ] && [ "$gen_failed" -eq 0 ] && gen_failed=1
fmt_passed=$(count "$format_line" passed); fmt_failed=$(count "$format_line" failed)
echo "tests: $((py_passed + swift_total - swift_failed + gen_passed + fmt_passed)) passed, $((py_failed + swift_failed + gen_failed + fmt_failed)) failed"
[ "$python_status" -eq 0 ] && [ "$swift_status" -eq 0 ] && [ "$generic_status" -eq 0 ] && [ "$fmt_failed" -eq 0 ]
