#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for metrics-service's dashboard test (DashboardBrowserTest).
# Idempotent: does nothing when chromium is already on PATH. Needs root (CI and the dev machines run as root).
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  echo "chromium present: $(chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -q
# fonts-dejavu-core: readable text in screenshots; no recommends keeps the install small.
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
echo "chromium installed: $(chromium --version)"
