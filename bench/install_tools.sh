#!/usr/bin/env bash
# Installs the classical codecs bench/run.py compares vdmz against, from Debian/Ubuntu packages:
#   zopfli (zopflipng), webp (cwebp, dwebp), libjxl-tools (cjxl, djxl).
# Usage: bash bench/install_tools.sh   (as root, or with sudo)
set -euo pipefail
packages=(zopfli webp libjxl-tools)
if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null; then
    as_root=(sudo)
else
    echo "bench/install_tools.sh: needs root or sudo to run apt-get" >&2
    exit 1
fi
# Try without refreshing the package lists first (works offline when they are current).
if ! "${as_root[@]}" apt-get install -y "${packages[@]}"; then
    "${as_root[@]}" apt-get update
    "${as_root[@]}" apt-get install -y "${packages[@]}"
fi
for tool in zopflipng cwebp dwebp cjxl djxl; do
    command -v "$tool" >/dev/null || { echo "bench/install_tools.sh: $tool is still missing" >&2; exit 1; }
done
echo "bench tools installed: $(dpkg-query -W "${packages[@]}" | tr '\t' ' ' | paste -sd, | sed 's/,/, /g')"
