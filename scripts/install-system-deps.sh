#!/usr/bin/env bash
# Installs the system packages the test suite needs (Debian/Ubuntu): Chromium for the browser
# tests and fonts with full Vietnamese coverage. Does nothing when they are already present.
set -euo pipefail

packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
fc-list 2>/dev/null | grep -qi "DejaVu Sans" || packages+=(fonts-dejavu-core fontconfig)
fc-list 2>/dev/null | grep -qi "Noto Sans" || packages+=(fonts-noto-core)

if [ ${#packages[@]} -eq 0 ]; then
    exit 0
fi

echo "Installing system packages: ${packages[*]}"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "Missing system packages (${packages[*]}) and no root/sudo to install them." >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}"
