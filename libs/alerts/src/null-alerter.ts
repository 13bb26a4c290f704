import type { Alerter } from './alerter.ts';

/** An alerter that drops everything: for tools and tests that build worker dependencies by hand. */
export function createNullAlerter(): Alerter {
  return { raise: () => Promise.resolve(), flush: () => Promise.resolve(true), close: () => Promise.resolve() };
}
