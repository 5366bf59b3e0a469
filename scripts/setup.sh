#!/usr/bin/env bash
# Installs everything vdmz needs on a fresh Debian machine and builds the release binary.
# Idempotent: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
missing=()
for pkg in libpng-dev pkg-config; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    $SUDO apt-get update -qq
    $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

if ! python3 -c "import torch, safetensors, numpy" >/dev/null 2>&1; then
    echo "setup: installing training/requirements.txt (CPU build of PyTorch)"
    python3 -m pip install -q -r training/requirements.txt
fi

swift build -c release
echo "setup: done; the binary is $(swift build -c release --show-bin-path)/vdmz"
