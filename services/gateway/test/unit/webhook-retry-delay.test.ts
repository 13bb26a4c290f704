import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelayMs } from '../../src/webhooks/delivery-loop.ts';

describe('webhook retry delay', () => {
  it('when attempts fail, then the delay grows 4× per attempt with ±20 % jitter, and never passes WEBHOOK_RETRY_MAX_MS', () => {
    assert.equal(
      retryDelayMs(1, 30_000, 3_600_000, () => 0.5),
      30_000,
    );
    assert.equal(
      retryDelayMs(2, 30_000, 3_600_000, () => 0.5),
      120_000,
    );
    assert.equal(
      retryDelayMs(2, 30_000, 3_600_000, () => 0),
      96_000,
      '20 % early',
    );
    assert.equal(
      retryDelayMs(2, 30_000, 3_600_000, () => 1),
      144_000,
      '20 % late',
    );
    // Capped after the jitter: at the cap, a late draw waits the cap, not 1.2 × it.
    assert.equal(
      retryDelayMs(8, 30_000, 3_600_000, () => 1),
      3_600_000,
    );
    assert.equal(
      retryDelayMs(8, 30_000, 3_600_000, () => 0),
      2_880_000,
    );
  });
});
