import type { Db } from '../db/pool.ts';
import { findSessionStates, type SessionState } from './session-repository.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_BATCH = 500;

interface Waiter {
  familyId: string;
  userId: string;
  resolve: (state: SessionState | undefined) => void;
  reject: (err: unknown) => void;
}

/** Whether a session's state lets a call through: it exists, is not revoked or expired, and its user is enabled. */
export function sessionHolds(state: SessionState | undefined): state is SessionState {
  return !!state && !state.revoked_at && !state.disabled && Date.parse(state.expires_at) > Date.now();
}

export interface SessionChecks {
  /** The session's state as PostgreSQL has it now (after this call arrived); `undefined` if there is none. */
  check(familyId: string, userId: string): Promise<SessionState | undefined>;
}

/**
 * The per-request session check, asked of PostgreSQL for every call (see authenticate.ts), with the calls that
 * arrive together asked in one statement. Nothing is cached: a check never takes an answer that was asked for
 * before it arrived. It goes in the next statement sent, which waits only for the one in flight (if any) to
 * come back, so a revocation committed before a call arrives is seen by that call. Under load that is one round
 * trip (a write and a read on each side, a wake-up of a backend) for many calls instead of one each.
 */
export function createSessionChecks(db: Db): SessionChecks {
  const waiting: Waiter[] = [];
  let scheduled = false;
  let inFlight = false;

  function schedule(): void {
    if (scheduled || inFlight) return;
    scheduled = true;
    setImmediate(send);
  }

  async function send(): Promise<void> {
    scheduled = false;
    const batch = waiting.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    inFlight = true;
    try {
      const states = await findSessionStates(db, batch);
      batch.forEach((w, i) => w.resolve(states[i]));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      inFlight = false;
      if (waiting.length > 0) schedule();
    }
  }

  return {
    check(familyId, userId) {
      // Claims of a token this gateway signed are ids it made; anything else has no session (and must not fail
      // the statement for the calls beside it).
      if (!UUID.test(familyId) || !UUID.test(userId)) return Promise.resolve(undefined);
      return new Promise((resolve, reject) => {
        waiting.push({ familyId, userId, resolve, reject });
        schedule();
      });
    },
  };
}
