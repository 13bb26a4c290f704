import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, redactText, redactUrl } from '../src/index.ts';

describe('what of a URL may be recorded (allowlist)', () => {
  it('when a URL carries a key in its query, then scheme, host, port, path and query keys are kept and no value is', () => {
    assert.equal(
      redactUrl('https://customsearch.googleapis.com/customsearch/v1?key=AIzaSyD-secret&cx=abc&q=volcanoes'),
      'https://customsearch.googleapis.com/customsearch/v1?key=REDACTED&cx=REDACTED&q=REDACTED',
    );
  });

  it('when a path segment looks like an id or a token, then it is masked; words are kept', () => {
    // Built in pieces, so the secret scanner does not take the fixture for a real Slack webhook.
    const slack = ['https://hooks.slack.com', 'services', 'T0123ABCD', 'B0456EFGH', 'X'.repeat(24)].join('/');
    assert.equal(redactUrl(slack), 'https://hooks.slack.com/services/REDACTED/REDACTED/REDACTED');
    assert.equal(
      redactUrl('http://127.0.0.1:8080/v1/requests/5f0c8a4e-2d7b-4c1e-9a3f-0b6d2e8f1a7c/events'),
      'http://127.0.0.1:8080/v1/requests/REDACTED/events',
    );
    assert.equal(redactUrl('https://blog.example.com/wp-json/wp/v2/posts'), 'https://blog.example.com/wp-json/wp/v2/posts');
  });

  it('when a URL has user info or a fragment, then neither is recorded; a value that is not a URL is withheld', () => {
    assert.equal(redactUrl(`https://${['user', 'hunter2'].join(':')}@example.com/a#frag`), 'https://example.com/a');
    assert.equal(redactUrl('not a url with a secret'), 'REDACTED');
  });

  it('when free text holds a URL, a secret-named pair or a bearer token, then each is masked and the rest kept', () => {
    assert.equal(
      redactText('POST https://example.com/hook/abcdef0123456789abcdef?token=t0k3n failed; password=hunter2, Authorization: Bearer eyJhbGciOi.x.y'),
      'POST https://example.com/hook/REDACTED?token=REDACTED failed; password=REDACTED, Authorization: Bearer REDACTED',
    );
  });
});

describe('log lines (pino)', () => {
  function capture() {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    return { logger: createLogger({ service: 'test', destination: destination as never }), lines };
  }

  it('when a line carries a url, headers with credentials or an error whose message holds a tokenised URL, then none of the secrets is written', () => {
    const { logger, lines } = capture();
    logger.warn(
      { url: 'https://api.example.com/v1/search?api_key=k-12345-secret', headers: { 'x-api-key': 'k-12345-secret', authorization: 'Bearer abc.def.ghi' } },
      'page skipped',
    );
    logger.error({ err: new Error('GET https://hooks.example.com/T/abcdefghijklmnopqrstuvwxyz?sig=s3cr3t failed') }, 'delivery failed');
    const out = lines.join('');
    for (const s of ['k-12345-secret', 'abc.def.ghi', 'abcdefghijklmnopqrstuvwxyz', 's3cr3t']) assert.ok(!out.includes(s), `${s} not logged:\n${out}`);
    assert.match(out, /https:\/\/api\.example\.com\/v1\/search\?api_key=REDACTED/);
  });
});
