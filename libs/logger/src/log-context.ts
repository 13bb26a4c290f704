import { AsyncLocalStorage } from 'node:async_hooks';

export interface LogContext {
  request_id?: string;
  user_id?: string;
  stage?: string;
  http_request_id?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with fields that every log line written inside it carries, without passing them around. */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, fn);
}

/**
 * Runs `fn` with no log context at all: for work that outlives the call that started it (a relay or a delivery
 * loop woken by a request), whose lines would otherwise name that caller's request and user.
 */
export function withoutLogContext<T>(fn: () => T): T {
  return storage.exit(fn);
}

/** Adds fields to the current context (e.g. the user id, once authentication has run). */
export function addLogContext(fields: LogContext): void {
  const store = storage.getStore();
  if (store) Object.assign(store, fields);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
