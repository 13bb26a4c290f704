#!/usr/bin/env bash
# Installs Pressroom the way the image's prod-deps stage does and boots every service from that install far
# enough to prove that each runtime import resolves. Needs no Docker engine and no running service.
#
#   scripts/check-prod-install.sh          check every services/*/src/main.ts
#   scripts/check-prod-install.sh --keep   keep the temporary install and print where it is
#
# Steps, as in the Dockerfile:
#   1. copy the manifests (lockfile, workspace file, .npmrc, patches, every package.json) into a temporary folder
#   2. `pnpm install --frozen-lockfile --prod` there: dependencies only, no devDependencies anywhere
#   3. copy libs/ and services/ over it (without node_modules, as .dockerignore says)
#   4. run `node services/<name>/src/main.ts --check-config` for each service with NODE_ENV=production and an
#      otherwise empty environment: it parses the config, starts tracing, imports every module the service runs
#      and exits 0 before connecting to anything.
# A package that imports something it lists only under devDependencies (or not at all) fails step 4 with
# ERR_MODULE_NOT_FOUND; the script names the package.json to fix.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly BOOT_TIMEOUT_SECONDS="${CHECK_PROD_INSTALL_BOOT_TIMEOUT:-60}"

KEEP=0
for arg in "$@"; do
  case "$arg" in
    --keep) KEEP=1 ;;
    -h | --help)
      sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "unknown argument: $arg (see --help)" >&2
      exit 2
      ;;
  esac
done

command -v pnpm >/dev/null 2>&1 || {
  echo "pnpm is not on PATH (run through ./pressroom, or provision the toolchain first)" >&2
  exit 1
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/pressroom-prod-install.XXXXXX")"
readonly WORK
cleanup() {
  if ((KEEP)); then echo "kept the production install in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

log() { printf '[prod-install] %s\n' "$*"; }

# --- 1. manifests (the Dockerfile's `manifests` stage) -----------------------
cd "$REPO_ROOT"
cp package.json pnpm-lock.yaml pnpm-workspace.yaml "$WORK/"
if [[ -f .npmrc ]]; then cp .npmrc "$WORK/"; fi
if [[ -d patches ]]; then cp -r patches "$WORK/"; fi
find . -name package.json -not -path '*/node_modules/*' -not -path './.git/*' -not -path './package.json' \
  -exec cp --parents '{}' "$WORK/" ';'

# --- 2. production install (the `prod-deps` stage) ---------------------------
log "pnpm install --frozen-lockfile --prod in $WORK"
install_log="$WORK/.install.log"
if ! (cd "$WORK" && CI=true pnpm install --frozen-lockfile --prod --prefer-offline >"$install_log" 2>&1); then
  cat "$install_log" >&2
  echo >&2
  echo "FAIL: the production install itself failed (see above); the image's prod-deps stage would fail the same way" >&2
  exit 1
fi

# --- 3. sources (the `runtime` stage's COPY libs/ services/) -----------------
tar -C "$REPO_ROOT" --exclude=node_modules --exclude='*.log' --exclude='*.tsbuildinfo' -cf - libs services |
  tar -C "$WORK" -xf -

# --- 4. boot each service with --check-config --------------------------------
# What the image's environment would give it: production, the secrets a real deployment mounts, nothing else
# (no .env is read in production). Random secrets, so no placeholder check trips.
secret() { node -e 'process.stdout.write(require("node:crypto").randomBytes(48).toString("base64"))'; }
JWT_SECRET_VALUE="$(secret)"
WEBHOOK_SECRET_VALUE="$(secret)"

# Prints what a failed boot means, from node's own ERR_MODULE_NOT_FOUND line when there is one.
explain_failure() {
  local service="$1" out="$2" missing importer pkg
  missing="$(grep -o "Cannot find \(package\|module\) '[^']*' imported from [^ ]*" "$out" | head -n 1 || true)"
  if [[ -z "$missing" ]]; then
    echo "FAIL $service: 'node services/$service/src/main.ts --check-config' did not exit 0 after a production install:" >&2
    sed 's/^/    /' "$out" >&2
    return
  fi
  importer="${missing##* imported from }"
  importer="${importer#"$WORK"/}"
  missing="$(printf '%s' "$missing" | sed "s/^Cannot find \(package\|module\) '\([^']*\)'.*/\2/")"
  missing="${missing#"$WORK"/}"
  pkg="$(printf '%s' "$importer" | cut -d/ -f1-2)"
  echo "FAIL $service: after 'pnpm install --prod', $importer imports '$missing', which does not resolve." >&2
  if [[ "$missing" != .* && "$missing" != /* && "$missing" != */src/* ]]; then
    echo "     Declare it under \"dependencies\" (not devDependencies) in $pkg/package.json and run pnpm install." >&2
  else
    echo "     The file is missing from the copied sources (is it ignored or untracked by mistake?)." >&2
  fi
  echo "     node said: $(grep -m1 '^Error \[ERR_MODULE_NOT_FOUND\]' "$out" | sed "s|$WORK/||g" || true)" >&2
}

failures=0
checked=0
for main in "$WORK"/services/*/src/main.ts; do
  service="$(basename "$(dirname "$(dirname "$main")")")"
  out="$WORK/.boot-$service.log"
  checked=$((checked + 1))
  if (cd "$WORK" && timeout -k 5 "$BOOT_TIMEOUT_SECONDS" env -i PATH="$PATH" HOME="$WORK" NODE_ENV=production \
    JWT_SECRET="$JWT_SECRET_VALUE" WEBHOOK_SIGNING_SECRET="$WEBHOOK_SECRET_VALUE" \
    node "services/$service/src/main.ts" --check-config >"$out" 2>&1); then
    log "ok   $(tail -n 1 "$out")"
  else
    rc=$?
    if ((rc == 124)); then echo "FAIL $service: --check-config did not exit within ${BOOT_TIMEOUT_SECONDS}s (does main.ts call exitIfConfigCheck before connecting?)" >&2; fi
    explain_failure "$service" "$out"
    failures=$((failures + 1))
  fi
done

if ((checked == 0)); then
  echo "FAIL: no services/*/src/main.ts found in the copied sources" >&2
  exit 1
fi
if ((failures > 0)); then
  echo "$failures of $checked services do not boot from a production install" >&2
  exit 1
fi
log "all $checked services boot from a production install"
