#!/usr/bin/env bash
# Makes the machine ready for the Prometheus end-to-end test (test/e2e/prometheus.test.ts) and the alert routing
# tests (test/tooling/alerting/): Debian's prometheus package, which ships /usr/bin/prometheus (the test starts it
# on a loopback port) and /usr/bin/promtool (the test's `promtool check metrics`), and prometheus-alertmanager
# (/usr/bin/prometheus-alertmanager, started by the routing test, and /usr/bin/amtool for `amtool check-config`).
# Installs them when a binary is missing; anything it cannot provide fails the run with a message that says what
# to do. It never skips. Idempotent: a second run only checks.
#
#   bash scripts/setup-prometheus.sh
set -euo pipefail

readonly PACKAGES=(prometheus prometheus-alertmanager)
readonly BINARIES=(/usr/bin/prometheus /usr/bin/promtool /usr/bin/prometheus-alertmanager /usr/bin/amtool)

log() { printf '[setup-prometheus] %s\n' "$*"; }
die() {
  printf '[setup-prometheus] ERROR: %s\n' "$*" >&2
  exit 1
}

all_present() {
  local bin
  for bin in "${BINARIES[@]}"; do [[ -x "$bin" ]] || return 1; done
}

install_package() {
  if all_present; then
    log "already installed: ${BINARIES[*]}"
    return
  fi
  command -v apt-get >/dev/null 2>&1 || die "${BINARIES[*]} missing and no apt-get to install packages ${PACKAGES[*]} (a Debian machine is expected)"
  ((EUID == 0)) || die "${BINARIES[*]} missing; run this script as root, or: sudo apt-get install -y --no-install-recommends ${PACKAGES[*]}"
  log "installing ${PACKAGES[*]}"
  # The machine starts no services from packages (policy-rc.d), so the packaged services stay stopped.
  DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed (see above)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null ||
    die "apt-get install ${PACKAGES[*]} failed (see above)"
  all_present || die "packages ${PACKAGES[*]} are installed but ${BINARIES[*]} are not all there"
}

install_package
log "$(/usr/bin/prometheus --version 2>&1 | head -n 1)"
log "$(/usr/bin/amtool --version 2>&1 | head -n 1)"
