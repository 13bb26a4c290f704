# syntax=docker/dockerfile:1
#
# One image per service, all from this file:
#   docker build --build-arg SERVICE=gateway -t pressroom/gateway .
# SERVICE is one of gateway, research, llm, publisher. The services run their
# TypeScript sources directly (Node 24 type stripping), so there is no build step.
#
# Stages:
#   manifests  package.json files only, so dependency layers survive source edits
#   base       Node 24 + pnpm + build tools for native addons
#   deps       every dependency and the sources: `docker build --target deps`
#              gives a workspace that can run pnpm lint / typecheck (the tests stay out of the build context: .dockerignore)
#   prod-deps  runtime dependencies only (what `pnpm prune --prod` would leave)
#   runtime    what ships: prod node_modules + sources, non-root, NODE_ENV=production

ARG NODE_IMAGE=node:24-bookworm-slim

# Only what `pnpm install` reads: lockfile, workspace file, .npmrc, patches and
# every package.json at its path. Collected by a stage of its own so that a new
# lib or service needs no edit here: this stage re-runs on any change, but the
# COPY --from below is cached on content, so installs re-run only when a
# manifest or the lockfile changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /manifests \
 && cp package.json pnpm-lock.yaml pnpm-workspace.yaml /manifests/ \
 && if [ -f .npmrc ]; then cp .npmrc /manifests/; fi \
 && if [ -d patches ]; then cp -r patches /manifests/; fi \
 && find . -name package.json -not -path '*/node_modules/*' -not -path './package.json' \
      -exec cp --parents '{}' /manifests/ ';'

FROM ${NODE_IMAGE} AS base
ARG PNPM_VERSION=12.4.2
ENV CI=true
# Build tools for a native addon that ships no prebuilt binary for this platform;
# they stay in the build stages, the runtime image never sees them.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# --allow-scripts lets pnpm's install script link its native binary; an npm that
# does not know the flag warns and runs the script anyway.
RUN npm install --global --no-audit --no-fund --allow-scripts=pnpm "pnpm@${PNPM_VERSION}" \
 && pnpm --version
WORKDIR /app

FROM base AS deps
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --prod=false --store-dir=/pnpm/store
COPY . .

# Installed from the same lockfile and store rather than pruned in place: same
# result as `pnpm prune --prod`, without depending on prune's workspace handling.
# scripts/check-prod-install.ts repeats this stage and the runtime stage's copies
# outside Docker (CI has no engine); keep the two in step.
FROM base AS prod-deps
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --prod --store-dir=/pnpm/store

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE=gateway
RUN case "$SERVICE" in \
      gateway|research|llm|publisher) ;; \
      *) echo "SERVICE must be gateway, research, llm or publisher, not '$SERVICE'" >&2; exit 1 ;; \
    esac \
 && mkdir -p /var/lib/pressroom/publish \
 && chown -R node:node /var/lib/pressroom
ENV NODE_ENV=production \
    SERVICE=${SERVICE}
WORKDIR /app
# Code and dependencies stay owned by root: the service cannot rewrite them.
# The only writable places are /tmp and /var/lib/pressroom (PUBLISH_DIR's volume
# takes its ownership from the directory made above).
COPY --from=prod-deps /app/ ./
COPY libs/ ./libs/
COPY services/ ./services/
RUN test -f "services/${SERVICE}/src/main.ts" \
 || { echo "services/${SERVICE}/src/main.ts is missing" >&2; exit 1; }
# The image refuses to build when its service cannot load from the production install (an import that the
# package lists only under devDependencies fails here with ERR_MODULE_NOT_FOUND). --check-config parses the
# config, imports every module and exits before connecting; throwaway secrets satisfy the config check only.
# CI runs the same check for every service without Docker: scripts/check-prod-install.ts.
RUN secret() { node -e 'process.stdout.write(require("node:crypto").randomBytes(48).toString("base64"))'; } \
 && JWT_SECRET="$(secret)" WEBHOOK_SIGNING_SECRET="$(secret)" node "services/${SERVICE}/src/main.ts" --check-config

USER node
EXPOSE 8080 9080 8081 8082 8083
# GET /healthz on the service's operations port: GATEWAY_OPS_PORT for the gateway, <SERVICE>_PORT for a worker.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e 'const s=process.env.SERVICE;const d={gateway:9080,research:8081,llm:8082,publisher:8083};const v=s==="gateway"?"GATEWAY_OPS_PORT":s.toUpperCase()+"_PORT";const p=process.env[v]||d[s];fetch("http://127.0.0.1:"+p+"/healthz",{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))'
# exec: node itself receives SIGTERM and runs the graceful shutdown.
CMD ["sh", "-c", "exec node services/$SERVICE/src/main.ts"]
