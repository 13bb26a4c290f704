export { createRedis, waitForRedis, redisVersion, closeRedis, type Redis } from './redis-client.ts';
export { createJsonCache, type JsonCache } from './json-cache.ts';
export { createDedupeStore } from './dedupe-store.ts';
export { markCancelled, createCancelWatch, type CancelWatch } from './cancel-markers.ts';
