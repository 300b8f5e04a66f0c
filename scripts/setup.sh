#!/usr/bin/env bash
# Installs what Sparrow needs on Debian/Ubuntu: Mesa EGL/GLES so WebGPU (Dawn)
# runs on the CPU when no GPU driver is present, Chromium + Xvfb for the browser
# tests, then the npm packages. The Electron binary download is skipped where
# its release host is unreachable (the app tests then say so and skip).
set -euo pipefail
cd "$(dirname "$0")/.."
PKGS="libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri chromium xvfb"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
export ELECTRON_SKIP_BINARY_DOWNLOAD="${ELECTRON_SKIP_BINARY_DOWNLOAD:-1}"
npm ci --no-audit --no-fund
# The CLI bundle only makes start-up faster: without it `sparrow` runs from the TypeScript sources.
node scripts/build-cli.mjs || echo 'warning: CLI bundle not built; sparrow will run from the TypeScript sources (slower start)' >&2
