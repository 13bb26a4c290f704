import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskError } from '@pressroom/contracts';
import { refuseRedirect } from '../../src/index.ts';

const answer = (statusCode: number, location?: string) => ({
  statusCode,
  url: 'http://hooks.example.com/in/abc123secret',
  headers: location ? { location } : {},
});

describe('a redirect answered to a call that does not follow them', () => {
  it('when the answer is a 3xx, then it is a permanent target_redirected naming the origin it points to, never a path', () => {
    assert.throws(
      () => refuseRedirect(answer(301, 'https://hooks.example.com/in/abc123secret?token=t0ps3cret'), 'webhook'),
      (err: unknown) =>
        err instanceof TaskError &&
        !err.transient &&
        err.code === 'target_redirected' &&
        err.message === 'webhook (hooks.example.com) answered HTTP 301 to https://hooks.example.com: use the URL it redirects to',
    );
    assert.throws(() => refuseRedirect(answer(308), 'wordpress post'), /answered HTTP 308: use the URL/);
  });

  it('when the answer is a 2xx or 4xx, then it passes through for the caller to judge', () => {
    const ok = answer(201);
    assert.equal(refuseRedirect(ok, 'webhook'), ok);
    assert.equal(refuseRedirect(answer(404), 'webhook').statusCode, 404);
  });
});
