import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupBroker, cleanupRedis, createDatabase, dropDatabase, startHttpStub, testEnv, testId, type HttpStub } from '@pressroom/test-support';
import { createApiClient } from '../../services/gateway/test/support/gateway-harness.ts';
import { freePort, startService, type ServiceProcess } from '../support/services.ts';

const article = (n: number) => ({ title: `Article ${n}`, summary: 'Summary.', body_markdown: `Body of article ${n} [1].` });

describe('graceful shutdown under load (four processes)', () => {
  const id = testId('drain');
  let llmStub: HttpStub;
  let publishDir: string;
  let env: Record<string, string>;
  let llmPort: number;
  const services: ServiceProcess[] = [];
  let api: ReturnType<typeof createApiClient>;

  before(async () => {
    await createDatabase(id);
    publishDir = await mkdtemp(join(tmpdir(), 'pressroom-drain-'));
    let n = 0;
    // Slow enough that several writes are in flight when SIGTERM arrives.
    llmStub = await startHttpStub(() => ({
      delayMs: 700,
      body: { choices: [{ message: { content: JSON.stringify(article(++n)) }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 10 } },
    }));
    const ports = { GATEWAY_PORT: await freePort(), RESEARCH_PORT: await freePort(), LLM_PORT: await freePort(), PUBLISHER_PORT: await freePort() };
    llmPort = ports.LLM_PORT;
    env = testEnv(id, {
      PUBLISH_DIR: publishDir,
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: `${llmStub.url}/v1`,
      LLM_API_KEY: 'test-key',
      SHUTDOWN_TIMEOUT_MS: '8000',
      LOG_LEVEL: 'info',
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    });
    services.push(
      await startService('gateway', env, ports.GATEWAY_PORT),
      await startService('research', env, ports.RESEARCH_PORT),
      await startService('publisher', env, ports.PUBLISHER_PORT),
    );
    api = createApiClient(`http://127.0.0.1:${ports.GATEWAY_PORT}`);
  });

  after(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await llmStub?.close();
    await cleanupBroker(id);
    await cleanupRedis(id);
    await dropDatabase(id);
    await rm(publishDir, { recursive: true, force: true });
  });

  it('when the llm worker gets SIGTERM with writes in flight, then it finishes them, exits 0, and a successor completes the rest: nothing lost, nothing doubled', async () => {
    const first = await startService('llm', env, llmPort);
    const user = await api.registerAndLogin();
    const ids: string[] = [];
    for (const topic of ['honeybees', 'coral reefs', 'volcanoes', 'tea processing', 'wind power', 'composting', 'jazz history', 'black holes']) {
      ids.push((await api.call('POST', '/v1/requests', { token: user.access, body: { topic } })).body.id);
    }
    await llmStub.waitFor(2, 15_000);
    const inFlightAtSignal = llmStub.requests.length;
    const exitCode = await first.stop('SIGTERM');
    assert.equal(exitCode, 0);
    assert.ok(first.output.join('').includes('shutting down'));
    const answeredBeforeExit = llmStub.requests.length;
    assert.ok(answeredBeforeExit >= inFlightAtSignal);
    const completedByFirst = first.output
      .join('')
      .split('\n')
      .filter((l) => l.includes('"msg":"write completed"')).length;
    assert.ok(
      completedByFirst >= inFlightAtSignal,
      `the ${inFlightAtSignal} writes in flight at SIGTERM were finished, not abandoned (${completedByFirst} completed)`,
    );

    services.push(await startService('llm', env, llmPort));
    const deadline = Date.now() + 30_000;
    let statuses: string[] = [];
    while (Date.now() < deadline) {
      statuses = await Promise.all(ids.map(async (rid) => (await api.call('GET', `/v1/requests/${rid}`, { token: user.access })).body.status));
      if (statuses.every((s) => s === 'published')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(
      statuses,
      ids.map(() => 'published'),
    );
    const files = (await readdir(publishDir)).filter((f) => f.endsWith('.md')).sort();
    assert.deepEqual(files, ids.map((rid) => `${rid}.md`).sort());
  });
});
