#!/usr/bin/env bash
# The run of time_ab.log: the fourth default 02ecc665… against the third, 82b01874… (bench/model_time_ab.sh).
#   bash docs/bench/2026-12-01-default02ec/time_ab.sh [IMAGE] [ROUNDS]
exec bash "$(dirname "$0")/../../../bench/model_time_ab.sh" \
  Sources/Model/Resources/released/82b018743b176d6dd674557e50eddd01e8becc2e7d2cdfe6f3a3b9d634dd6cf9.safetensors "$@"
