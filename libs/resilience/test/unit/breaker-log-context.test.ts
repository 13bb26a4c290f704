import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { transientError } from '@pressroom/contracts';
import { createLogger, withLogContext } from '@pressroom/logger';
import { createMetrics } from '@pressroom/telemetry';
import { createBreakers } from '../../src/index.ts';

describe('breaker state lines and the calls around them', () => {
  it('when a breaker goes half-open after its reset timeout, then the line names no request, not the one whose call tripped it', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({ service: 'research', level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    let halfOpen = () => {};
    const halfOpened = new Promise<void>((resolve) => (halfOpen = resolve));
    const breakers = createBreakers({
      service: 'research',
      logger,
      metrics: createMetrics('research'),
      settings: { resetTimeoutMs: 50, errorThresholdPercentage: 50, volumeThreshold: 1 },
      onStateChange: (_name, state) => state === 'half_open' && halfOpen(),
    });
    try {
      await withLogContext({ request_id: 'r1', user_id: 'u1', stage: 'research' }, () =>
        breakers.call('search:serper', () => Promise.reject(transientError('upstream_503', 'down'))).catch(() => undefined),
      );
      await halfOpened;
      const opened = lines.find((l) => l['msg'] === 'circuit breaker search:serper is open');
      assert.equal(opened?.['request_id'], 'r1', 'opening is part of the call that failed');
      const line = lines.find((l) => l['msg'] === 'circuit breaker search:serper is half_open');
      assert.ok(line);
      assert.deepEqual([line['request_id'], line['user_id'], line['stage']], [undefined, undefined, undefined]);
    } finally {
      breakers.close();
    }
  });
});
