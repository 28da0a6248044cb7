#!/usr/bin/env bash
# Installs Debian's docker-compose (1.29) so the deploy tests can validate docker-compose.yml offline
# (`docker-compose config -q` needs no Docker engine). Idempotent: does nothing when it is already there.
set -euo pipefail
if command -v docker-compose >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends docker-compose >/dev/null
docker-compose version
