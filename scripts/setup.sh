#!/usr/bin/env bash
# Installs everything vdmz needs on a fresh Debian 12 machine and builds the release binary.
# Needs a Swift 6 toolchain on PATH first (swift.org's Linux tarball; not a Debian package).
# Idempotent: a second run only rebuilds what changed.
#   apt:   libpng-dev, pkg-config, python3-venv
#   pip:   training/requirements.txt (CPU PyTorch, numpy, pytest, …) into .venv/ (PEP 668: Debian's
#          python3 refuses system-wide pip installs, so the project keeps its own virtual environment)
#   swift: swift build -c release
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: no 'swift' on PATH: install a Swift 6 toolchain first (https://www.swift.org/install/linux/), then re-run" >&2
    exit 1
fi

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
missing=()
for pkg in libpng-dev pkg-config; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
# venv needs ensurepip, which Debian ships in python3-venv.
python3 -c "import ensurepip" >/dev/null 2>&1 || missing+=("python3-venv")
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    $SUDO apt-get update -qq
    $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating the virtual environment .venv"
    python3 -m venv .venv
fi
if ! .venv/bin/python -c "import torch, safetensors, numpy, pytest, PIL, distributed" >/dev/null 2>&1; then
    echo "setup: installing training/requirements.txt into .venv (CPU build of PyTorch; a minute or two)"
    .venv/bin/python -m pip install -q -r training/requirements.txt
fi

swift build -c release
echo "setup: done; the binary is $(swift build -c release --show-bin-path)/vdmz; Python: .venv/bin/python"
