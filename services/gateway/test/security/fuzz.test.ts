import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestGateway } from '../support/gateway-harness.ts';

type Json = Record<string, any>;

/**
 * Property-based fuzzing driven by /openapi.json, which is built from the schemas that validate requests: for
 * every operation, bodies, query strings, path parameters and headers are generated from its schemas, then bent
 * (wrong types, missing and extra fields, NUL and lone surrogates, malformed percent-encoding, junk JSON). The
 * property: no answer is a 500, and every error is problem+json.
 */
const RUNS_PER_OPERATION = 60;
const NASTY = [
  '',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ud83d',
  '💥📰',
  ' ',
  "' OR '1'='1",
  '../../etc/passwd',
  '%00',
  '{"a":1}',
  'x'.repeat(3000),
  '1',
  '-1',
  '1e309',
  'null',
  'true',
  '2026-13-40T25:61:61Z',
  '00000000-0000-0000-0000-000000000000',
  'javascript:alert(1)',
  'http://169.254.169.254/',
];
const RAW_SEGMENTS = ['%00', '%FF', '%C0%AF', '%E0%A4%A', '..%2F..%2F', '%2e%2e', 'a%20b', '%ED%A0%80', encodeURIComponent('\u2028'), 'x'.repeat(300)];
const RAW_QUERIES = [
  '%00=1',
  'limit=%00',
  'cursor=%FF',
  'limit=%C0%80',
  'a[b]=1',
  'limit=1&limit=2',
  'status=%E0%A4%A',
  'cursor=WyIxIiwiMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwIl0',
  '=',
  '&&&',
  '%',
];
const RAW_BODIES = [
  '{"a":',
  '[]',
  'null',
  '"str"',
  '1e999',
  '{"__proto__":{"role":"admin"}}',
  '['.repeat(3000),
  '{"topic":"\\u0000\\ud800"}',
  '\u0000',
  '{"topic": "x", "topic": 1}',
  '{"email":"a@b.co","password":"\\udc00\\udc00\\udc00\\udc00\\udc00\\udc00"}',
];
const HEADER_TEXT = fc.string({ unit: fc.constantFrom(...' !#$%&()*+,-./0123456789:;<=>?@ABCXYZ[]^_`abcxyz{|}~\'"'.split('')), maxLength: 300 });
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/merge-patch+json',
  'application/json;;',
  'multipart/form-data; boundary=x',
  '',
];

/** encodeURIComponent, except that a lone surrogate goes out as its WTF-8 bytes (%ED%A0%80) instead of throwing. */
function percent(s: string): string {
  const wtf8 = (u: number) => [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 63), 0x80 | (u & 63)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
  return s.isWellFormed() ? encodeURIComponent(s) : [...s].map((ch) => (ch.isWellFormed() ? encodeURIComponent(ch) : wtf8(ch.charCodeAt(0)))).join('');
}

function resolve(doc: Json, schema: Json): Json {
  return schema.$ref ? resolve(doc, doc.components.schemas[String(schema.$ref).split('/').pop()!]) : schema;
}

/** A value the schema would (mostly) accept; `bend` then mixes in values it must refuse. */
function valueOf(doc: Json, raw: Json, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(doc, raw);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) return fc.oneof(...branches.map((b: Json) => valueOf(doc, b, depth + 1)));
  if (s.allOf) return valueOf(doc, Object.assign({}, ...s.allOf.map((b: Json) => resolve(doc, b))), depth + 1);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string': {
      const formats: Record<string, fc.Arbitrary<string>> = {
        uuid: fc.uuid(),
        email: fc.emailAddress(),
        uri: fc.webUrl(),
        'date-time': fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
      };
      const plain = fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 80) });
      return formats[s.format] ?? plain;
    }
    case 'integer':
      return fc.integer({ min: Math.max(s.minimum ?? -1000, -2_147_483_648), max: Math.min(s.maximum ?? 1000, 2_147_483_647) });
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return depth > 4 ? fc.constant([]) : fc.array(valueOf(doc, s.items ?? {}, depth + 1), { maxLength: Math.min(s.maxItems ?? 3, 3) });
    case 'object': {
      if (depth > 4) return fc.constant({});
      const props = Object.fromEntries(Object.entries<Json>(s.properties ?? {}).map(([k, v]) => [k, valueOf(doc, v, depth + 1)]));
      return fc.record(props, { requiredKeys: (s.required ?? []).filter((k: string) => k in props) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** The value as generated, or a string from the nasty list, a lone-surrogate string, or any JSON value at all. */
function bend<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 5, arbitrary: valid },
    { weight: 2, arbitrary: fc.constantFrom(...NASTY) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
}

function bodyOf(doc: Json, schema: Json): fc.Arbitrary<{ raw: string } | { json: unknown }> {
  const s = resolve(doc, schema);
  const fields = Object.entries<Json>(s.properties ?? {}).map(([k, v]) => [k, bend(valueOf(doc, v))] as const);
  const object = fc.tuple(
    fc.record(Object.fromEntries(fields), { requiredKeys: [] }),
    fc.option(fc.tuple(fc.constantFrom('is_admin', 'role', 'user_id', '__proto__', '\u0000', 'constructor'), fc.jsonValue({ maxDepth: 1 })), {
      nil: undefined,
    }),
  );
  return fc.oneof(
    { weight: 6, arbitrary: object.map(([o, extra]) => ({ json: extra ? { ...o, [extra[0]]: extra[1] } : o })) },
    { weight: 3, arbitrary: valueOf(doc, s).map((json) => ({ json })) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES).map((raw) => ({ raw })) },
  );
}

function segmentOf(doc: Json, schema: Json): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: valueOf(doc, schema).map((v) => percent(String(v))) },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    { weight: 1, arbitrary: fc.constantFrom(...NASTY).map(percent) },
  );
}

function queryOf(doc: Json, params: Json[]): fc.Arbitrary<string> {
  const pairs = params.map((p) =>
    fc.option(
      bend(valueOf(doc, p.schema)).map((v) => `${percent(p.name)}=${percent(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))}`),
      { nil: undefined },
    ),
  );
  const built = fc
    .tuple(...pairs, fc.option(fc.constantFrom('debug=1', 'limit=', 'cursor='), { nil: undefined }))
    .map((parts) => parts.filter((p) => p !== undefined).join('&'));
  return fc.oneof({ weight: 5, arbitrary: built }, { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERIES) });
}

describe('API8:2023 Security Misconfiguration: no input produces a 500 (schema-driven fuzzing of every route)', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let doc: Json;
  let user: Awaited<ReturnType<Awaited<ReturnType<typeof startTestGateway>>['api']['registerAndLogin']>>;
  let admin: string;
  let sent = 0;
  before(async () => {
    const unlimited = {
      RATE_LIMIT_USER_READS_PER_HOUR: '10000000',
      RATE_LIMIT_IP_AUTHENTICATED_PER_HOUR: '10000000',
      DAILY_REQUEST_QUOTA: '1000000',
      LOGIN_FAILURES_PER_ACCOUNT: '1000',
      LOGIN_FAILURES_PER_IP: '100000',
      LOG_LEVEL: 'silent',
    };
    h = await startTestGateway({ ...unlimited, BOOTSTRAP_ADMIN_EMAIL: 'admin@fuzz.test', BOOTSTRAP_ADMIN_PASSWORD: 'admin password for fuzzing' }, 'secfuzz');
    doc = (await h.api.call('GET', '/openapi.json')).body;
    user = await h.api.registerAndLogin();
    admin = (await h.api.call('POST', '/v1/auth/login', { body: { email: 'admin@fuzz.test', password: 'admin password for fuzzing' } })).body.access_token;
  });
  after(() => h.close());

  it(
    `when every operation gets ${RUNS_PER_OPERATION} generated bodies, query strings, path parameters and headers, then no answer is 500 and every error is problem+json`,
    { timeout: 60_000 },
    async () => {
      const started = Date.now();
      const operations = Object.entries<Json>(doc.paths).flatMap(([path, ops]) =>
        Object.entries<Json>(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
      );
      assert.ok(operations.length >= 35, `${operations.length} operations`);
      for (const { path, method, op } of operations) {
        const params: Json[] = op.parameters ?? [];
        const inPath = params.filter((p) => p.in === 'path');
        const inQuery = params.filter((p) => p.in === 'query');
        const bodySchema = op.requestBody?.content?.['application/json']?.schema;
        const needs = (op.security ?? []).length === 0 ? 'public' : JSON.stringify(op.security).includes('adminBearer') ? 'admin' : 'user';
        const input = fc.record({
          segments: fc.tuple(...inPath.map((p) => segmentOf(doc, p.schema))),
          query: queryOf(doc, inQuery),
          body: bodySchema ? bodyOf(doc, bodySchema) : fc.constant(undefined),
          credential: fc.constantFrom('right', 'right', 'right', 'none', 'junk'),
          contentType: fc.constantFrom(...CONTENT_TYPES),
          headers: fc.record(
            {
              'idempotency-key': HEADER_TEXT,
              'last-event-id': HEADER_TEXT,
              'x-request-id': HEADER_TEXT,
              accept: fc.constantFrom('*/*', 'text/event-stream', 'application/xml'),
            },
            { requiredKeys: [] },
          ),
        });
        await fc.assert(
          fc.asyncProperty(input, async (i) => {
            let url = path;
            inPath.forEach((p, n) => (url = url.replace(`{${p.name}}`, i.segments[n]!)));
            if (i.query) url += `?${i.query}`;
            const headers: Record<string, string> = { ...i.headers };
            // Logout ends the session it is called with: it gets a session of its own each time.
            const token =
              needs === 'admin'
                ? admin
                : op.operationId === 'logout'
                  ? (await h.api.call('POST', '/v1/auth/login', { body: { email: user.email, password: user.password } })).body.access_token
                  : user.access;
            if (needs !== 'public' && i.credential === 'right') headers['authorization'] = `Bearer ${token}`;
            if (i.credential === 'junk') headers['authorization'] = 'Bearer not.a.token';
            let body: string | undefined;
            if (i.body) {
              body = 'raw' in i.body ? i.body.raw : JSON.stringify(i.body.json);
              if (i.contentType) headers['content-type'] = i.contentType;
            }
            const res = await fetch(`${h.url}${url}`, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(10_000) });
            const type = res.headers.get('content-type') ?? '';
            // An event stream that opened is closed at once: its answer (200) is all this test looks at.
            const text = type.startsWith('text/event-stream') ? (await res.body?.cancel(), '') : await res.text();
            sent++;
            const what = `${method} ${url} ${body?.slice(0, 200) ?? ''} -> ${res.status} ${text.slice(0, 300)}`;
            assert.notEqual(res.status, 500, what);
            if (res.status >= 400) {
              assert.match(type, /^application\/problem\+json/, what);
              assert.equal(JSON.parse(text).status, res.status, what);
            }
          }),
          { numRuns: RUNS_PER_OPERATION, endOnFailure: true },
        );
      }
      assert.ok(sent >= 2000, `${sent} requests sent`);
      assert.ok(Date.now() - started < 60_000, `within 60 s (${Date.now() - started} ms)`);
    },
  );
});
