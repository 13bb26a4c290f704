#!/usr/bin/env bash
# Renders and validates the Kubernetes manifests in deploy/k8s without a cluster.
#
#   scripts/check-k8s.sh                  render with kustomize-lite (and kubectl kustomize when installed), validate
#   scripts/check-k8s.sh --strict         also fail when kubectl is missing (no cross-check with real kustomize)
#   scripts/check-k8s.sh --out DIR        also write the rendered overlays to DIR/<overlay>.yaml
#
# Needs Node 24 and the root devDependencies (pnpm install): kubernetes-models and
# @kubernetes-models/{external-secrets,keda,prometheus-operator} for the schemas, typescript, yaml.
# What is checked, and what cannot be without a cluster: docs/deployment.md, "Validating the manifests".
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

kubectl_mode=auto
out_args=()
while (($#)); do
  case "$1" in
    --strict) kubectl_mode=require ;;
    --no-kubectl) kubectl_mode=off ;;
    --out)
      [[ $# -ge 2 ]] || { echo "--out needs a directory" >&2; exit 2; }
      out_args=(--out "$2")
      shift
      ;;
    -h | --help)
      sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "unknown argument: $1 (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done

command -v node >/dev/null 2>&1 || { echo "check-k8s: node is not on PATH" >&2; exit 1; }
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if ((node_major < 24)); then
  echo "check-k8s: needs Node 24 (runs TypeScript directly), found $(node -v)" >&2
  exit 1
fi
if [[ ! -d node_modules/kubernetes-models ]]; then
  echo "check-k8s: node_modules/kubernetes-models is missing: run pnpm install first" >&2
  exit 1
fi

# The deploy script is shell too.
bash -n deploy/k8s/deploy.sh
if command -v shellcheck >/dev/null 2>&1; then
  shellcheck -x deploy/k8s/deploy.sh scripts/check-k8s.sh
fi

exec node deploy/k8s/tools/check.ts --kubectl="$kubectl_mode" "${out_args[@]}"
