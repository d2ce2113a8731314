#!/usr/bin/env bash
# Makes sure Prometheus Alertmanager (Debian package prometheus-alertmanager) is installed.
# The CI script runs this before the tests; the alerting medium tests run it when the binary is missing.
set -euo pipefail

if command -v prometheus-alertmanager >/dev/null 2>&1; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "prometheus-alertmanager is not installed and this user cannot run apt-get (not root, no sudo)" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# The package's postinst may try to start a service; no init system in containers is fine.
if ! $SUDO apt-get install -y --no-install-recommends prometheus-alertmanager; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends prometheus-alertmanager
fi

if ! command -v prometheus-alertmanager >/dev/null 2>&1; then
  echo "prometheus-alertmanager is still not on PATH after installing the package" >&2
  exit 1
fi
