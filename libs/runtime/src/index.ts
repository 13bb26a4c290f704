export { createShutdown, type Shutdown } from './shutdown.ts';
export { createOpsRouter, type ReadinessCheck } from './ops-routes.ts';
export { startOpsServer, closeServer } from './ops-server.ts';
export { serviceReadiness } from './readiness.ts';
export { runWorker, retryPolicyFrom, type WorkerDeps, type RunningWorker } from './worker-host.ts';
export type { StageAlerting } from './stage-alerts.ts';
export { dependency, redisAnswers, waitForDependencies } from './startup-wait.ts';
export { listen } from './listen.ts';
export { startOrExit } from './start-or-exit.ts';
