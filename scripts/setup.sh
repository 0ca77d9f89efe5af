#!/usr/bin/env bash
# setup.sh: installs what a fresh Debian 12 machine lacks for building and testing sllm:
# Debian packages (compilers, CMake, Catch2, Emscripten, Chromium, Firefox ESR, and python3-torch
# with numpy for the PyTorch references) and the npm dependencies.
# Idempotent and quick when everything is already there. Usage: scripts/setup.sh [--no-browser]
set -euo pipefail
cd "$(dirname "$0")/.."

need_browser=1
[ "${1:-}" = "--no-browser" ] && need_browser=0

missing=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in g++ cmake make catch2 emscripten python3-torch python3-numpy; do have_pkg "$pkg" || missing+=("$pkg"); done
[ "$need_browser" = 1 ] && { have_pkg chromium || missing+=(chromium); have_pkg firefox-esr || missing+=(firefox-esr); }

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dependencies, from the lock file; reinstall when package-lock.json changed.
if [ -f package-lock.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "setup: installing npm dependencies"
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
