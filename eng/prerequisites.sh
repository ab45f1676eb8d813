#!/usr/bin/env bash
# Installs the Debian packages the suite runs on, only those that are missing. Sourced by run.sh and test.sh.
set -euo pipefail

ensure_packages() {
  local missing=()
  for spec in "$@"; do
    local package=${spec%%:*} probe=${spec#*:}
    [ -x "$probe" ] || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing missing packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  # The Debian packages start system-wide services; the suite starts its own isolated instances and never uses them.
  for service in rabbitmq-server postgresql; do
    $sudo systemctl disable --now "$service" >/dev/null 2>&1 || $sudo service "$service" stop >/dev/null 2>&1 || true
  done
}

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required (dotnet on PATH)." >&2
  exit 1
fi
