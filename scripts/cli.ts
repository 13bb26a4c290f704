// `pnpm pressroom submit "topic" [--tone casual] [--length short] [--audience "..."]` logs in, submits, follows the
// stages and prints the article. `pnpm pressroom status <id>` prints one request. Credentials come from
// PRESSROOM_EMAIL/PRESSROOM_PASSWORD, else the bootstrap admin in `.env` (what `pnpm start` generated).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadEnvFile } from '@pressroom/config';

/* eslint-disable no-console, @typescript-eslint/no-explicit-any -- a command-line tool talks on the console and prints loosely typed API JSON */
loadEnvFile(resolve(import.meta.dirname, '..', '.env'));
const base = process.env['PRESSROOM_URL'] ?? `http://127.0.0.1:${process.env['GATEWAY_PORT'] ?? 8080}`;
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { tone: { type: 'string' }, length: { type: 'string' }, audience: { type: 'string' }, timeout: { type: 'string', default: '120' } },
});
const [command, arg] = positionals;

async function api(method: string, path: string, token?: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const data: any = res.status === 204 ? undefined : await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${data?.detail ?? ''}`);
  return data;
}

async function login(): Promise<string> {
  const email = process.env['PRESSROOM_EMAIL'] ?? process.env['BOOTSTRAP_ADMIN_EMAIL'];
  const password = process.env['PRESSROOM_PASSWORD'] ?? process.env['BOOTSTRAP_ADMIN_PASSWORD'];
  if (!email || !password) throw new Error('set PRESSROOM_EMAIL and PRESSROOM_PASSWORD (or run `pnpm start` once to create .env)');
  return (await api('POST', '/v1/auth/login', undefined, { email, password })).access_token;
}

function describe(r: any): string {
  return r.stages.map((s: any) => `${s.stage}:${s.status}${s.attempts > 1 ? `(x${s.attempts})` : ''}${s.duration_ms !== null ? ` ${s.duration_ms}ms` : ''}`).join('  ');
}

async function follow(token: string, id: string, timeoutS: number): Promise<any> {
  const deadline = Date.now() + timeoutS * 1000;
  let last = '';
  while (Date.now() < deadline) {
    const r = await api('GET', `/v1/requests/${id}`, token);
    const line = `${r.status.padEnd(11)} ${describe(r)}`;
    if (line !== last) console.log(line);
    last = line;
    if (r.status === 'published' || r.status === 'failed') return r;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`request ${id} did not finish within ${timeoutS} s`);
}

try {
  if (command === 'submit' && arg) {
    const token = await login();
    const body = { topic: arg, ...(values.tone ? { tone: values.tone } : {}), ...(values.length ? { length: values.length } : {}), ...(values.audience ? { audience: values.audience } : {}) };
    const started = Date.now();
    const created = await api('POST', '/v1/requests', token, body);
    console.log(`submitted ${created.id}`);
    const done = await follow(token, created.id, Number(values.timeout));
    console.log(`${done.status} in ${Date.now() - started} ms`);
    if (done.status === 'failed') process.exitCode = 1;
    else console.log(`\n${done.result.body_markdown}\n\npublished at ${done.result.published_url}`);
  } else if (command === 'status' && arg) {
    console.log(JSON.stringify(await api('GET', `/v1/requests/${arg}`, await login()), null, 2));
  } else {
    console.log('usage: pnpm pressroom submit "topic" [--tone neutral|formal|casual|persuasive] [--length short|medium|long] [--audience "..."]\n       pnpm pressroom status <request-id>');
    process.exitCode = command ? 2 : 0;
  }
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
}
