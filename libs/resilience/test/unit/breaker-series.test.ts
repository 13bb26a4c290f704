import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { transientError } from '@pressroom/contracts';
import { createLogger } from '@pressroom/logger';
import { createMetrics } from '@pressroom/telemetry';
import { createBreakers } from '../../src/index.ts';

describe('breaker state series', () => {
  const fail = () => Promise.reject(transientError('upstream_503', 'down'));

  it("when a target's breaker is closed, then it has no series; open or half-open, it has one; closed again, none", async () => {
    const metrics = createMetrics('research');
    const breakers = createBreakers({
      service: 'research',
      logger: createLogger({ service: 'research', level: 'silent' }),
      metrics,
      settings: { resetTimeoutMs: 50, errorThresholdPercentage: 50, volumeThreshold: 2 },
    });
    const series = async () => Object.fromEntries((await metrics.breakerState.get()).values.map((v) => [String(v.labels.breaker), v.value]));
    try {
      await breakers.call('fetch:ok.example', async () => 'page', { scope: 'target' });
      await breakers.call('search:serper', async () => 'hits');
      assert.deepEqual(await series(), { 'search:serper': 0 }, 'a provider from its first call; a closed target never');

      for (let i = 0; i < 2; i++) await breakers.call('fetch:down.example', fail, { scope: 'target' }).catch(() => undefined);
      assert.deepEqual(await series(), { 'search:serper': 0, 'fetch:down.example': 1 });

      await new Promise((r) => setTimeout(r, 80));
      assert.equal((await series())['fetch:down.example'], 0.5, 'half-open after the reset timeout');
      await breakers.call('fetch:down.example', async () => 'back', { scope: 'target' });
      assert.deepEqual(await series(), { 'search:serper': 0 }, 'closed again: its series is gone');
    } finally {
      breakers.close();
    }
  });
});
