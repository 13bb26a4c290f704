#!/usr/bin/env bash
# Deploys an overlay in the order the migrations need:
#   1. everything but the Pressroom workloads (namespace, config, ExternalSecrets, network policies,
#      RabbitMQ, collector, monitoring); wait for the Secret and the RabbitMQ cluster;
#   2. the migration Job (the previous one deleted first: a Job's template is immutable); wait for it;
#   3. everything, which rolls the gateway and the workers; wait for the rollouts.
#
#   deploy/k8s/deploy.sh staging|production          needs kubectl with a context on the target cluster
#   DRY_RUN=1 deploy/k8s/deploy.sh staging           server-side dry run of every apply, no waiting
#
# Cluster prerequisites (once): deploy/k8s/cluster and the operators listed there. docs/deployment.md.
set -euo pipefail

overlay="${1:-}"
case "$overlay" in
  staging) namespace=pressroom-staging ;;
  production) namespace=pressroom ;;
  *)
    echo "usage: $0 staging|production" >&2
    exit 2
    ;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rendered="$(mktemp "${TMPDIR:-/tmp}/pressroom-$overlay.XXXXXX.yaml")"
trap 'rm -f "$rendered"' EXIT
kubectl kustomize "$here/overlays/$overlay" >"$rendered"

# The overlays ship placeholder hosts (the image registry, the public host name, the alert e-mail relay and
# webhook, production's DEFAULT_WEBHOOK_URL): deployed as they are, images do not pull, alerts go nowhere and
# articles without a channel fail. Refused until each is set for the cluster (ALLOW_PLACEHOLDERS=1 overrides,
# e.g. for a throwaway cluster).
placeholders="$(grep -noE '([A-Za-z0-9-]+\.)*example\.(com|org|net)\b|[A-Za-z0-9.-]+\.invalid\b' "$rendered" | sort -t: -k2 -u || true)"
if [[ -n "$placeholders" && "${ALLOW_PLACEHOLDERS:-0}" != 1 ]]; then
  printf '[deploy %s] the rendered overlay still names placeholder hosts; set them in deploy/k8s/overlays/%s (docs/deployment.md, "Before the first deploy"):\n' "$overlay" "$overlay" >&2
  cut -d: -f2 <<<"$placeholders" | sort -u | sed 's/^/  /' >&2
  exit 1
fi

dry=()
if [[ "${DRY_RUN:-0}" == 1 ]]; then dry=(--dry-run=server); fi
log() { printf '[deploy %s] %s\n' "$overlay" "$*"; }
apply() { kubectl apply "${dry[@]}" -f "$rendered" "$@"; }
waiting() { [[ "${DRY_RUN:-0}" != 1 ]]; }

log "1/3 configuration, secrets, network policies, RabbitMQ, telemetry"
apply -l 'app.kubernetes.io/component notin (api,worker,migration)'
if waiting; then
  kubectl -n "$namespace" wait externalsecret/pressroom-secrets --for=condition=Ready --timeout=120s
  kubectl -n "$namespace" wait rabbitmqcluster/pressroom-rabbitmq --for=condition=AllReplicasReady --timeout=900s
fi

log "2/3 migrations"
if waiting; then kubectl -n "$namespace" delete job pressroom-migrate --ignore-not-found --wait=true; fi
apply -l 'app.kubernetes.io/component=migration'
if waiting; then
  deadline=$((SECONDS + 600))
  while :; do
    state="$(kubectl -n "$namespace" get job pressroom-migrate -o jsonpath='{.status.succeeded}/{.status.failed}')"
    if [[ "$state" == 1/* ]]; then
      log "migrations applied"
      break
    fi
    if [[ "${state#*/}" =~ ^[0-9]+$ ]] && ((${state#*/} > 3)) || ((SECONDS > deadline)); then
      kubectl -n "$namespace" logs job/pressroom-migrate --tail=50 >&2 || true
      log "migration Job failed ($state succeeded/failed); nothing else was rolled out"
      exit 1
    fi
    sleep 3
  done
fi

log "3/3 gateway and workers"
apply
if waiting; then
  for d in gateway research llm publisher; do
    kubectl -n "$namespace" rollout status "deployment/$d" --timeout=600s
  done
fi
log "done"
