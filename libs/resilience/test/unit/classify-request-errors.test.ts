import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RequestError } from 'got';
import { classifyHttpError } from '../../src/index.ts';

const failure = (code: string) => new RequestError(`failed: ${code}`, Object.assign(new Error(code), { code }), undefined as never);

describe('connection failures a retry cannot change', () => {
  it('when the host does not exist, its certificate does not verify or redirects loop, then the failure is permanent with its own code', () => {
    const cases: Array<[string, string]> = [
      ['ENOTFOUND', 'target_not_found'],
      ['CERT_HAS_EXPIRED', 'target_tls_invalid'],
      ['DEPTH_ZERO_SELF_SIGNED_CERT', 'target_tls_invalid'],
      ['ERR_TLS_CERT_ALTNAME_INVALID', 'target_tls_invalid'],
      ['ERR_TOO_MANY_REDIRECTS', 'target_redirect_loop'],
    ];
    for (const [code, expected] of cases) {
      const classified = classifyHttpError(failure(code), 'webhook');
      assert.equal(classified.code, expected, code);
      assert.equal(classified.transient, false, code);
    }
  });

  it('when the connection is refused, reset or the name does not resolve for now, then it stays transient', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EAI_AGAIN', 'EPROTO']) {
      const classified = classifyHttpError(failure(code), 'webhook');
      assert.equal(classified.code, 'upstream_unreachable', code);
      assert.equal(classified.transient, true, code);
    }
  });
});
