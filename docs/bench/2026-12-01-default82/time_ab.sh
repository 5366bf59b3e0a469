#!/usr/bin/env bash
# The run of time_ab.log: the third default 82b01874… against the second, 3b4af54c… (bench/model_time_ab.sh).
#   bash docs/bench/2026-12-01-default82/time_ab.sh [IMAGE] [ROUNDS]
exec bash "$(dirname "$0")/../../../bench/model_time_ab.sh" \
  Sources/Model/Resources/released/3b4af54ce18ad3368c9e2cfb96302981b7e1fe4d85f2e4312156fae805067bc3.safetensors "$@"
