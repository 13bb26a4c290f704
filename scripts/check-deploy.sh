#!/usr/bin/env bash
# Static checks of the deployment files: CI script, compose file, Prometheus
# config and alert rules. Needs no Docker engine and no running service.
#
#   scripts/check-deploy.sh                     run what the machine has tools for
#   scripts/check-deploy.sh --install-promtool  first fetch promtool from Debian's
#                                               prometheus package (no daemon, no
#                                               system install) when it is missing
#   CHECK_DEPLOY_STRICT=1 scripts/check-deploy.sh   a missing tool fails the run
#
# Checks:
#   - bash -n on .ci/run and scripts/*.sh; shellcheck on them when installed
#   - YAML syntax (duplicate keys are errors) of docker-compose.yml and
#     deploy/prometheus/**/*.yml, with PyYAML or the `yaml` npm package
#   - compose consistency: app services build their own SERVICE, no `version:`
#   - `docker compose config -q` when the compose plugin is installed
#   - promtool check config / check rules
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

STRICT="${CHECK_DEPLOY_STRICT:-0}"
INSTALL_PROMTOOL=0
for arg in "$@"; do
  case "$arg" in
    --install-promtool) INSTALL_PROMTOOL=1 ;;
    --strict) STRICT=1 ;;
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

COMPOSE_FILE=docker-compose.yml
PROM_CONFIG=deploy/prometheus/prometheus.yml
PROM_RULES_DIR=deploy/prometheus/rules

failures=0
skips=0
ok() { printf '  ok    %s\n' "$*"; }
fail() {
  printf '  FAIL  %s\n' "$*" >&2
  failures=$((failures + 1))
}
skip() {
  printf '  skip  %s\n' "$*"
  skips=$((skips + 1))
}
section() { printf '\n== %s\n' "$*"; }

# Runs a check; its output is shown only when it fails.
check() {
  local what="$1" out
  shift
  if out="$("$@" 2>&1)"; then
    ok "$what"
  else
    fail "$what"
    printf '%s\n' "$out" | sed 's/^/        /' >&2
  fi
}

# --- shell ---------------------------------------------------------------------

section "shell scripts"
shell_files=()
[[ -f .ci/run ]] && shell_files+=(.ci/run)
for f in scripts/*.sh; do [[ -f "$f" ]] && shell_files+=("$f"); done
for f in "${shell_files[@]}"; do
  check "bash -n $f" bash -n "$f"
done
if [[ -f .ci/run && ! -x .ci/run ]]; then
  fail ".ci/run is not executable (chmod +x .ci/run)"
fi
if command -v shellcheck >/dev/null 2>&1; then
  for f in "${shell_files[@]}"; do
    check "shellcheck $f" shellcheck -x "$f"
  done
else
  skip "shellcheck not installed (Debian: apt-get install shellcheck)"
fi

# --- YAML ----------------------------------------------------------------------

section "YAML syntax and compose consistency"
yaml_files=("$COMPOSE_FILE")
while IFS= read -r f; do yaml_files+=("$f"); done < <(find deploy/prometheus -type f \( -name '*.yml' -o -name '*.yaml' \) | sort)

python_with_yaml=""
for py in python3 /usr/bin/python3; do
  if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import yaml' >/dev/null 2>&1; then
    python_with_yaml="$py"
    break
  fi
done

yaml_check_python() {
  "$python_with_yaml" - "$@" <<'PY'
import sys, yaml

class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys (YAML allows them; they hide mistakes)."""

def construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        if key_node.tag == 'tag:yaml.org,2002:merge':
            continue
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)

UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)

bad = 0
for path in sys.argv[1:]:
    try:
        with open(path, encoding='utf-8') as fh:
            yaml.load(fh, Loader=UniqueKeyLoader)
        print(f"  ok    YAML {path}")
    except Exception as exc:  # report every file, then fail
        bad += 1
        print(f"  FAIL  YAML {path}: {exc}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

compose_check_python() {
  "$python_with_yaml" - "$COMPOSE_FILE" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))
problems = []
if 'version' in doc:
    problems.append("top-level 'version:' is obsolete in the Compose spec")
services = doc.get('services') or {}
for name in ('gateway', 'research', 'llm', 'publisher'):
    svc = services.get(name)
    if svc is None:
        problems.append(f"service {name} is missing")
        continue
    arg = ((svc.get('build') or {}).get('args') or {}).get('SERVICE')
    if arg != name:
        problems.append(f"service {name} builds SERVICE={arg!r}")
    for dep, cond in (svc.get('depends_on') or {}).items():
        if dep not in services:
            problems.append(f"service {name} depends on unknown service {dep}")
for p in problems:
    print(f"  FAIL  compose: {p}", file=sys.stderr)
if not problems:
    print(f"  ok    compose: app services build their own SERVICE, dependencies exist")
sys.exit(1 if problems else 0)
PY
}

yaml_check_node() {
  node --input-type=module - "$@" <<'JS'
import { readFileSync } from 'node:fs';
const { parseDocument } = await import('yaml');
let bad = 0;
for (const path of process.argv.slice(2)) {
  const doc = parseDocument(readFileSync(path, 'utf8'), { merge: true, uniqueKeys: true });
  if (doc.errors.length) {
    bad++;
    console.error(`  FAIL  YAML ${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
  } else console.log(`  ok    YAML ${path}`);
}
process.exit(bad ? 1 : 0);
JS
}

if [[ -n "$python_with_yaml" ]]; then
  yaml_check_python "${yaml_files[@]}" || failures=$((failures + 1))
  compose_check_python || failures=$((failures + 1))
elif command -v node >/dev/null 2>&1 && node --input-type=module -e "await import('yaml')" >/dev/null 2>&1; then
  yaml_check_node "${yaml_files[@]}" || failures=$((failures + 1))
  skip "compose consistency (needs python3 with PyYAML)"
else
  skip "YAML syntax: neither python3 with PyYAML nor node with the 'yaml' package is available (Debian: apt-get install python3-yaml)"
fi

if docker compose version >/dev/null 2>&1; then
  check "docker compose config -q" docker compose -f "$COMPOSE_FILE" config -q
else
  skip "docker compose config (the compose plugin is not installed)"
fi

# --- Prometheus ----------------------------------------------------------------

section "Prometheus config and rules"
PROMTOOL_DIR="${PRESSROOM_CI_TOOLS:-${HOME:-/root}/.pressroom-ci-tools}/promtool"

# Debian's prometheus package carries promtool; only that binary is unpacked,
# so no Prometheus daemon is installed or started.
install_promtool() {
  command -v apt-get >/dev/null 2>&1 || return 1
  local tmp
  tmp="$(mktemp -d)"
  (
    cd "$tmp"
    apt-get download prometheus >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && apt-get download prometheus >/dev/null 2>&1; }
  ) || { rm -rf "$tmp"; return 1; }
  dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/x" &&
    mkdir -p "$PROMTOOL_DIR" &&
    install -m 0755 "$tmp/x/usr/bin/promtool" "$PROMTOOL_DIR/promtool"
  local rc=$?
  rm -rf "$tmp"
  return "$rc"
}

PROMTOOL="${PROMTOOL:-}"
if [[ -z "$PROMTOOL" ]]; then
  if command -v promtool >/dev/null 2>&1; then
    PROMTOOL="$(command -v promtool)"
  elif [[ -x "$PROMTOOL_DIR/promtool" ]]; then
    PROMTOOL="$PROMTOOL_DIR/promtool"
  elif ((INSTALL_PROMTOOL)); then
    if install_promtool; then
      PROMTOOL="$PROMTOOL_DIR/promtool"
      ok "promtool fetched from Debian's prometheus package into $PROMTOOL_DIR"
    else
      fail "could not fetch promtool from Debian's prometheus package"
    fi
  fi
fi

if [[ -n "$PROMTOOL" ]]; then
  printf '  using %s\n' "$("$PROMTOOL" --version 2>&1 | head -n 1)"
  # check config also loads the rule files that rule_files names.
  check "promtool check config $PROM_CONFIG" "$PROMTOOL" check config "$PROM_CONFIG"
  rule_files=()
  while IFS= read -r f; do rule_files+=("$f"); done < <(find "$PROM_RULES_DIR" -type f -name '*.yml' -not -name '*.test.yml' | sort)
  if ((${#rule_files[@]})); then
    check "promtool check rules ${rule_files[*]}" "$PROMTOOL" check rules "${rule_files[@]}"
  else
    fail "no rule files in $PROM_RULES_DIR"
  fi
  # Rule unit tests (deploy/prometheus/tests/*.test.yml; not under rules/, which
  # Prometheus loads as rule files).
  while IFS= read -r t; do
    check "promtool test rules $t" "$PROMTOOL" test rules "$t"
  done < <(find deploy/prometheus -type f -name '*.test.yml' | sort)
else
  skip "promtool not found: Prometheus config and rules were NOT checked (run with --install-promtool, or apt-get install prometheus, or set PROMTOOL=/path/to/promtool)"
fi

# --- result --------------------------------------------------------------------

printf '\n'
if ((failures)); then
  echo "check-deploy: $failures check(s) failed, $skips skipped"
  exit 1
fi
if ((skips)) && [[ "$STRICT" == 1 ]]; then
  echo "check-deploy: all run checks passed, but $skips were skipped for missing tools (strict mode)"
  exit 1
fi
echo "check-deploy: all checks passed ($skips skipped)"
