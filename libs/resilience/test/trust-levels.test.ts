import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpStub } from '@pressroom/test-support';
import { createOperatorClient, createUserTargetClient } from '../src/index.ts';

describe('two HTTP clients, two trust levels', () => {
  it('when an operator endpoint is on loopback, then the operator client reaches it while the user-target client refuses the same URL without connecting', async () => {
    const stub = await startHttpStub(() => ({ body: { ok: true } }));
    try {
      const operator = createOperatorClient({ timeoutMs: 2000 });
      const user = createUserTargetClient({ timeoutMs: 2000, allowPrivateTargets: false });
      assert.deepEqual(await operator.get(`${stub.url}/search`).json(), { ok: true });
      await assert.rejects(user.get(`${stub.url}/page`), (err: { code?: string; cause?: { code?: string } }) =>
        [err.code, err.cause?.code].includes('target_forbidden'),
      );
      await assert.rejects(user.get(`${stub.url.replace('127.0.0.1', 'localhost')}/page`), (err: { code?: string; cause?: { code?: string } }) =>
        [err.code, err.cause?.code].includes('target_forbidden'),
      );
      assert.deepEqual(
        stub.requests.map((r) => r.path),
        ['/search'],
      );
    } finally {
      await stub.close();
    }
  });
});
