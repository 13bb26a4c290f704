import type { Redis } from 'ioredis';
import type { Logger } from '@pressroom/logger';

/**
 * One round trip, atomic across replicas: the first raise in a window takes the gate (SET NX EX) and collects
 * the count of repeats suppressed since the previous send; every later raise in the window adds to that count.
 */
const CLAIM = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  local n = tonumber(redis.call('GET', KEYS[2]) or '0')
  redis.call('DEL', KEYS[2])
  return {1, n}
end
local n = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return {0, n}
`;

export interface GateDecision {
  send: boolean;
  /** When sending: repeats suppressed since the previous send. When suppressed: repeats so far in this window. */
  suppressed: number;
  /** False when Redis did not answer and the decision was taken by this process alone. */
  shared: boolean;
}

/**
 * Redis being down must never silence an alert: the decision falls back to a cooldown in this process, so one
 * replica still does not flood the sinks, at the price of one alert per replica instead of one in all.
 */
export function createCooldownGate(deps: { redis: Redis; cooldownSeconds: number; logger: Logger; redisTimeoutMs?: number }) {
  const { redis, cooldownSeconds, logger } = deps;
  const timeoutMs = deps.redisTimeoutMs ?? 1000;
  // A digest waits for the next alert of its key; a day (or ten windows) is long enough to still mean something.
  const counterTtl = Math.max(cooldownSeconds * 10, 86_400);
  const local = new Map<string, { until: number; suppressed: number }>();
  let redisDown = false;

  function claimLocally(key: string): GateDecision {
    const now = Date.now();
    for (const [k, v] of local) if (v.until <= now && v.suppressed === 0) local.delete(k);
    const entry = local.get(key);
    if (entry && entry.until > now) {
      entry.suppressed += 1;
      return { send: false, suppressed: entry.suppressed, shared: false };
    }
    // Bounded like everything held in memory: callers putting ids in summaries must not grow it without end.
    if (local.size >= 1000) local.clear();
    local.set(key, { until: now + cooldownSeconds * 1000, suppressed: 0 });
    return { send: true, suppressed: entry?.suppressed ?? 0, shared: false };
  }

  async function claimInRedis(key: string): Promise<GateDecision> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis did not answer in ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const reply = (await Promise.race([redis.eval(CLAIM, 2, key, `${key}:suppressed`, cooldownSeconds, counterTtl), timeout])) as [number, number];
      return { send: reply[0] === 1, suppressed: Number(reply[1]), shared: true };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async claim(key: string): Promise<GateDecision> {
      try {
        const decision = await claimInRedis(key);
        if (redisDown) logger.info('alert de-duplication is shared across replicas again');
        redisDown = false;
        return decision;
      } catch (err) {
        if (!redisDown) logger.warn({ err }, 'alert de-duplication unavailable (redis); deciding per replica, duplicates possible');
        redisDown = true;
        return claimLocally(key);
      }
    },
  };
}
