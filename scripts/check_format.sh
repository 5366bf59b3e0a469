#!/usr/bin/env bash
# Checks that the Swift sources are formatted as .swift-format says (swift-format ships with Swift 6).
# `bash scripts/check_format.sh --fix` rewrites them in place instead.
# Prints one line "format: 1 passed, 0 failed" (or "0 passed, 1 failed" with the offending places).
set -uo pipefail
cd "$(dirname "$0")/.."
paths=(Package.swift Sources Tests fuzz/Package.swift fuzz/Sources)
if [ "${1:-}" = "--fix" ]; then
    exec swift format format --in-place --recursive "${paths[@]}"
fi
if ! swift format --version >/dev/null 2>&1; then
    echo "format: skipped: this Swift toolchain has no 'swift format' (Swift 6 has)"
    exit 0
fi
out=$(swift format lint --strict --recursive "${paths[@]}" 2>&1)
status=$?
if [ $status -eq 0 ] && [ -z "$out" ]; then
    echo "format: 1 passed, 0 failed"
    exit 0
fi
echo "$out" | head -40
echo "format: $(echo "$out" | grep -c warning) places differ from .swift-format; run: bash scripts/check_format.sh --fix"
echo "format: 0 passed, 1 failed"
exit 1
