import type { Static } from '@sinclair/typebox';
import type { Redis } from '@pressroom/cache';
import type { BreakerList, BreakerView } from '@pressroom/contracts';

/**
 * Every worker replica reports its breakers to Redis with a heartbeat expiry (libs/resilience/src/breakers.ts),
 * so a replica that died drops off the list by itself. SCAN matches raw keys, so the key prefix is added by hand.
 */
export async function listBreakers(redis: Redis, keyPrefix: string): Promise<Static<typeof BreakerList>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${keyPrefix}breakers:*`, 'COUNT', 200);
    cursor = next;
    keys.push(...batch.map((k) => k.slice(keyPrefix.length)));
  } while (cursor !== '0');
  if (keys.length === 0) return { items: [] };
  const values = await redis.mget(...keys);
  const items = values.flatMap((v) => {
    try {
      return v ? [JSON.parse(v) as Static<typeof BreakerView>] : [];
    } catch {
      return [];
    }
  });
  items.sort((a, b) => a.service.localeCompare(b.service) || a.name.localeCompare(b.name) || a.instance.localeCompare(b.instance));
  return { items };
}
