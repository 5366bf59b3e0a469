#!/usr/bin/env bash
# Runs the whole test suite: set-up (idempotent), Python loss tests, then the Swift tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
python3 -m pytest -q training/tests
swift test
