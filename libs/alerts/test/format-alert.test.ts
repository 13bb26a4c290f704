import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alertText, cooldownKey, emailSubject, slackPayload, type OutgoingAlert } from '../src/index.ts';
import { failureReason } from '../src/delivery-queue.ts';

const outgoing = (o: Partial<OutgoingAlert> = {}): OutgoingAlert => ({
  kind: 'dead_letter',
  severity: 'warning',
  summary: 'task dead-lettered in stage publish',
  service: 'publisher',
  instance: 'pub-1:9',
  time: '2026-03-01T12:00:00.000Z',
  suppressed: 0,
  cooldown_s: 300,
  ...o,
});

describe('alert formatting (pure)', () => {
  it('when repeats were suppressed, then the text ends with the digest, singular or plural, with the cooldown readable', () => {
    assert.match(alertText(outgoing({ suppressed: 1 })), /\n1 similar alert suppressed during the 5m cooldown after the previous one$/);
    assert.match(alertText(outgoing({ suppressed: 7, cooldown_s: 3600 })), /\n7 similar alerts suppressed during the 1h cooldown after the previous one$/);
    assert.match(alertText(outgoing({ suppressed: 2, cooldown_s: 90 })), /2 similar alerts suppressed during the 90s cooldown/);
    assert.doesNotMatch(alertText(outgoing()), /suppressed/);
  });

  it('when a summary holds a line break, then the email subject stays one line', () => {
    assert.equal(emailSubject(outgoing({ summary: 'first\r\nBcc: victim@example.test' })), '[pressroom][warning] first Bcc: victim@example.test');
  });

  it('when text holds Slack control characters, then they are escaped and the header stays within 150 characters', () => {
    const body = slackPayload(outgoing({ summary: `<!channel> & ${'x'.repeat(200)}` }));
    assert.match(body.text, /^\[warning\] &lt;!channel&gt; &amp; x/);
    assert.equal((body.blocks[0] as any).text.text.length, 150);
  });

  it('when no dedupe_key is given, then alerts of one kind and summary share a key, ids elsewhere do not matter', () => {
    const a = cooldownKey({ kind: 'llm_failure', severity: 'critical', summary: 's', request_id: '1' });
    assert.equal(a, cooldownKey({ kind: 'llm_failure', severity: 'warning', summary: 's', request_id: '2' }));
    assert.match(a, /^alerts:llm_failure:[0-9a-f]{16}$/);
    assert.equal(cooldownKey({ kind: 'breaker_open', severity: 'warning', summary: 's', dedupe_key: 'llm:openai' }), 'alerts:breaker_open:llm:openai');
  });

  it('when a delivery fails, then the logged reason carries no URL path or credentials', () => {
    assert.equal(
      failureReason({ message: 'Request failed with status code 500: POST https://hooks.slack.com/services/T/B/tok', response: { statusCode: 500 } }),
      'HTTP 500',
    );
    assert.equal(
      failureReason({ code: 'EAUTH', message: 'failed for smtp://user:pw@mail.example.test:587/x' }),
      'EAUTH failed for smtp://mail.example.test:587/…',
    );
  });
});
