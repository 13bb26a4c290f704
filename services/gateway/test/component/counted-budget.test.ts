import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeRedis, createRedis, waitForRedis, type Redis } from '@pressroom/cache';
import { createLogger } from '@pressroom/logger';
import { BASE_URLS, cleanupRedis, testId } from '@pressroom/test-support';
import { createBudget, type Budget, type BudgetHit } from '../../src/http/counted-budget.ts';

// The shared hourly budget on real Redis: exact counts, and a flood's hits gathered into few round trips.
describe('counted budget (real Redis)', () => {
  const id = testId('budget');
  let redis: Redis;
  let roundTrips = 0;

  before(async () => {
    redis = createRedis(BASE_URLS.redis, `test:${id}:`, createLogger({ service: 'test', level: 'silent' }));
    await waitForRedis(redis);
    const pipeline = redis.pipeline.bind(redis);
    redis.pipeline = ((...args: Parameters<typeof pipeline>) => (roundTrips++, pipeline(...args))) as typeof redis.pipeline;
  });
  after(async () => {
    await cleanupRedis(id);
    await closeRedis(redis);
  });

  const budget = (limit: number): Budget => createBudget({ name: 'ip', redis, limit, windowMs: 3_600_000, onError: () => undefined });
  const total = (h: BudgetHit | Promise<BudgetHit>) => Promise.resolve(h).then((x) => x.totalHits);

  it('when hits for one key keep arriving for 40 ms, then they share at most about one round trip per millisecond, and each gets its own count', async () => {
    const b = budget(1_000_000);
    roundTrips = 0;
    const hits: Promise<number>[] = [];
    const until = performance.now() + 40;
    while (performance.now() < until) {
      for (let i = 0; i < 5; i++) hits.push(total(b.hit('flood')));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const counts = await Promise.all(hits);
    assert.ok(hits.length > 200, `${hits.length} hits sent`);
    assert.deepEqual(
      [...counts].sort((x, y) => x - y),
      counts.map((_, i) => i + 1),
      'every hit counted once, in Redis',
    );
    // One per turn would be hits / 5 round trips; one per millisecond is about 40 (timers may fire a little late).
    assert.ok(roundTrips <= 60, `${roundTrips} round trips for ${hits.length} hits in 40 ms`);
  });

  it('when two replicas count the same key at once, then the counts are one sequence and the limit refuses exactly the hits over it', async () => {
    const [one, two] = [budget(150), budget(150)];
    const hits = Array.from({ length: 100 }, () => [total(one.hit('shared')), total(two.hit('shared'))]).flat();
    const counts = await Promise.all(hits);
    assert.deepEqual(
      [...counts].sort((x, y) => x - y),
      counts.map((_, i) => i + 1),
    );
    assert.equal(counts.filter((c) => c > 150).length, 50);
    // Either replica, asked once more, says the key is over its limit (from Redis, or from its memory of a spent key).
    assert.ok((await total(one.hit('shared'))) > 150);
    assert.ok((await total(two.hit('shared'))) > 150);
  });

  it('when a lone hit follows a quiet moment, then it is sent in its own round trip', async () => {
    const b = budget(10);
    await sleep(5);
    roundTrips = 0;
    assert.equal(await total(b.hit('lone')), 1);
    assert.equal(roundTrips, 1);
  });
});
