import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { pollUntil, startHttpStub, type HttpStub, type RecordedRequest } from '@pressroom/test-support';
import { chatCompletion, topicOf } from '../../services/llm/test/support/chat-stub.ts';
import { startPipeline, type Pipeline, type ServiceName } from '../support/pipeline.ts';
import { assertPrometheusInstalled, promtoolCheckMetrics, startPrometheus, type Prometheus } from '../support/prometheus.ts';
import { waitForFinalRequest } from '../support/request-polling.ts';

const root = join(import.meta.dirname, '..', '..');
const SERVICES: ServiceName[] = ['gateway', 'research', 'llm', 'publisher'];
const STAGES = ['research', 'write', 'publish'];

// One topic per outcome. Every one of them retries or dead-letters at a different stage, so the failure panels
// have series for each stage; RETRIED is submitted twice, the second time answered from the caches.
const RETRIED = 'Lighthouse keepers at night';
const NO_SOURCES = 'Harbour zqxv wplk';
const LLM_REFUSES = 'Lighthouse lenses and prisms';
const WEBHOOK_GONE = 'Lighthouse fog signals';
const PAGE = (words: string) => `<!doctype html><html><head><title>Lighthouse notes</title></head><body><article><h1>Lighthouse notes</h1>
<p>${words}</p><p>Lighthouse keepers trimmed the lamp wicks every night; the lighthouse lenses and prisms focused the beam; fog signals sounded when the headland vanished.</p></article></body></html>`;

interface DashboardTarget {
  panel: string;
  expr: string;
}

/**
 * Every query of every panel (rows included), with Grafana's interval variables replaced by a fixed window and the
 * dashboard's own query variables by their *All* value (compose's series carry no namespace, as here).
 */
async function dashboardTargets(): Promise<DashboardTarget[]> {
  type Panel = { title: string; panels?: Panel[]; targets?: Array<{ expr?: string }> };
  type Variable = { name: string; type: string; allValue?: string };
  const dashboard = JSON.parse(await readFile(join(root, 'deploy', 'grafana', 'dashboards', 'pressroom.json'), 'utf8')) as {
    panels: Panel[];
    templating: { list: Variable[] };
  };
  const allValues = new Map(dashboard.templating.list.filter((v) => v.type === 'query' && v.allValue).map((v) => [v.name, v.allValue!]));
  const flat = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...flat(p.panels ?? [])]);
  return flat(dashboard.panels).flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      panel: p.title,
      expr: (t.expr ?? '').replace(/\$\{?(\w+)\}?/g, (v, name: string) => {
        if (['__rate_interval', '__interval'].includes(name)) return '1m';
        const all = allValues.get(name);
        if (all !== undefined) return all;
        throw new Error(`panel ${p.title}: no test value for Grafana variable ${v}`);
      }),
    })),
  );
}

/** `group/rule` for every alerting and recording rule in deploy/prometheus/rules. */
async function declaredRules(): Promise<string[]> {
  const files = await ruleFiles();
  const docs = await Promise.all(
    files.map(async (f) => parse(await readFile(f, 'utf8')) as { groups: Array<{ name: string; rules: Array<{ alert?: string; record?: string }> }> }),
  );
  return docs.flatMap((d) => d.groups.flatMap((g) => g.rules.map((r) => `${g.name}/${r.alert ?? r.record}`)));
}

async function ruleFiles(): Promise<string[]> {
  const dir = join(root, 'deploy', 'prometheus', 'rules');
  return (await readdir(dir)).filter((f) => f.endsWith('.yml')).map((f) => join(dir, f));
}

/** Metric families a query names (histogram series by their family name). */
const metricsOf = (expr: string) => [...expr.matchAll(/\b((?:pressroom|http)_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''));
/** Whether a query groups by stage, so that each stage must have its own series. */
const groupsByStage = (expr: string) => [...expr.matchAll(/\bby \(([^)]*)\)/g)].some((m) => m[1]!.split(',').some((l) => l.trim() === 'stage'));

describe('a real Prometheus scraping the four services: targets, alert rules, dashboard queries, exposition format', () => {
  let pipeline: Pipeline;
  let prometheus: Prometheus;
  let stubs: HttpStub[] = [];
  const expositions = new Map<ServiceName, string>();

  before(async () => {
    assertPrometheusInstalled();
    // searxng and the pages it finds: RETRIED's first search answers 503 (a research retry); NO_SOURCES finds
    // nothing. Only one failure, so that the searxng breaker stays closed.
    const searched = new Set<string>();
    const web: HttpStub = await startHttpStub((req: RecordedRequest) => {
      if (req.path === '/robots.txt') return { status: 404 };
      if (req.path.startsWith('/pages/')) return { body: PAGE(req.path.endsWith('/a') ? 'Notes kept at the station.' : 'Letters from the keepers.') };
      const q = req.query.get('q') ?? '';
      if (q === RETRIED && !searched.has(q)) return (searched.add(q), { status: 503 });
      const hits =
        q === NO_SOURCES
          ? []
          : ['a', 'b'].map((p) => ({ title: `Lighthouse notes ${p}`, url: `${web.url}/pages/${p}`, content: 'Lighthouse keepers and fog signals.' }));
      return { body: { query: q, results: hits } };
    });
    // The LLM: RETRIED's first call answers 503 (a write retry), LLM_REFUSES gets 400 (dead-lettered at write).
    const written = new Set<string>();
    const llm = await startHttpStub((req) => {
      const topic = topicOf(req);
      if (topic === LLM_REFUSES) return { status: 400, body: { error: { message: 'unsupported request', type: 'invalid_request_error' } } };
      if (topic === RETRIED && !written.has(topic)) return (written.add(topic), { status: 503, body: { error: { message: 'overloaded' } } });
      return chatCompletion(
        { title: topic, summary: 'Keepers kept the light [1].', body_markdown: `# ${topic}\n\nKeepers trimmed the wicks [1].` },
        'gpt-4o-mini-2024-07-18',
      );
    });
    // The webhook: /flaky answers 503 once per request (a publish retry), /gone 400 (dead-lettered at publish).
    // Each dependency fails transiently once only, so no breaker opens.
    const delivered = new Set<string>();
    const webhook = await startHttpStub((req) => {
      const key = String(req.headers['idempotency-key']);
      if (req.path === '/gone') return { status: 400, body: { error: 'no such feed' } };
      if (req.path === '/flaky' && !delivered.has(key)) return (delivered.add(key), { status: 503 });
      return { status: 201, body: { url: `https://news.example.test/posts/${key}` } };
    });
    stubs = [web, llm, webhook];
    pipeline = await startPipeline('prom', {
      SEARCH_PROVIDER: 'searxng',
      SEARXNG_URL: web.url,
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: `${llm.url}/v1`,
      LLM_API_KEY: 'sk-prometheus-test',
      LLM_MODEL: 'gpt-4o-mini',
      DAILY_REQUEST_QUOTA: '5',
      LOGIN_FAILURES_PER_ACCOUNT: '2',
    });
    prometheus = await startPrometheus(
      SERVICES.map((job) => ({ job, port: pipeline.service(job).opsPort })),
      await ruleFiles(),
    );

    // The traffic: one request that retries at every stage, then the same topic from the caches, one failure per
    // stage, a sixth request over the daily quota of 5, and sign-ins throttled after two wrong passwords.
    const { api } = pipeline;
    const user = await api.registerAndLogin();
    const submit = async (topic: string, hook: string) => {
      const res = await api.call('POST', '/v1/requests', {
        token: user.access,
        body: { topic, length: 'short', channel: { type: 'webhook', url: `${webhook.url}${hook}` } },
      });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const r = await waitForFinalRequest(api, user.access, res.body.id, 30_000);
      return `${r.status as string}${(r.stages as Array<{ stage: string; error: { code: string } | null }>).map((st) => (st.error ? ` at ${st.stage}: ${st.error.code}` : '')).join('')}`;
    };
    assert.equal(await submit(RETRIED, '/flaky'), 'published');
    const outcomes = await Promise.all([submit(RETRIED, '/ok'), submit(NO_SOURCES, '/ok'), submit(LLM_REFUSES, '/ok'), submit(WEBHOOK_GONE, '/gone')]);
    assert.deepEqual(outcomes, ['published', 'failed at research: no_sources', 'failed at write: upstream_400', 'failed at publish: upstream_400']);
    const refused = await api.call('POST', '/v1/requests', { token: user.access, body: { topic: RETRIED } });
    assert.equal(refused.body.code, 'quota_exceeded', JSON.stringify(refused.body));
    const wrong = { email: 'nobody-prometheus@example.com', password: 'not the password' };
    const signIns = [];
    for (let i = 0; i < 3; i++) signIns.push((await api.call('POST', '/v1/auth/login', { body: wrong })).status);
    assert.deepEqual(signIns, [401, 401, 429]);

    for (const name of SERVICES) expositions.set(name, await (await fetch(`http://127.0.0.1:${pipeline.service(name).opsPort}/metrics`)).text());
  });

  after(async () => {
    await prometheus?.stop();
    const codes = await pipeline?.close();
    await Promise.all(stubs.map((s) => s.close()));
    if (codes) assert.deepEqual(codes, { gateway: 0, research: 0, llm: 0, publisher: 0 }, 'every service exits 0 on SIGTERM');
  });

  it('when Prometheus scrapes every second, then each of the four services is an up target', async () => {
    const targets = await pollUntil('every target to be scraped', async () => {
      const all = await prometheus.targets();
      return all.length === SERVICES.length && all.every((t) => t.health !== 'unknown') ? all : undefined;
    });
    assert.deepEqual(targets.map((t) => [t.labels['job'], t.health, t.lastError]).sort(), SERVICES.map((s) => [s, 'up', '']).sort());
  });

  it("when the project's rule files are loaded, then every rule of every group evaluates with health ok", async () => {
    const groups = await pollUntil('every rule to be evaluated', async () => {
      const all = await prometheus.ruleGroups();
      return all.length > 0 && all.every((g) => g.rules.every((r) => r.health !== 'unknown')) ? all : undefined;
    });
    const rules = groups.flatMap((g) => g.rules.map((r) => ({ group: g.name, rule: r.name, health: r.health, error: r.lastError ?? '' })));
    assert.deepEqual(rules.map((r) => `${r.group}/${r.rule}`).sort(), (await declaredRules()).sort(), 'every rule of the files is loaded');
    assert.deepEqual(
      rules.filter((r) => r.health !== 'ok'),
      [],
    );
  });

  it('when the dashboard queries run after the traffic, then each returns series, and a query by stage returns every stage', async () => {
    const exposed = new Set([...expositions.values()].flatMap((text) => [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!)));
    const targets = await dashboardTargets();
    assert.ok(targets.length >= 20, `only ${targets.length} queries in the dashboard`);
    assert.deepEqual(
      targets.flatMap((q) =>
        metricsOf(q.expr)
          .filter((m) => !exposed.has(m))
          .map((m) => `${q.panel}: ${m}`),
      ),
      [],
      'every metric the dashboard names is exposed by a service',
    );

    const missing = (series: Array<Record<string, string>>, q: DashboardTarget) => {
      if (series.length === 0) return 'no series';
      const stages = new Set(series.map((s) => s['stage']));
      const absent = groupsByStage(q.expr) ? STAGES.filter((s) => !stages.has(s)) : [];
      return absent.length > 0 ? `no series for ${absent.join(', ')}` : undefined;
    };
    const problems = await Promise.all(
      targets.map(async (q) => {
        let last = 'not run';
        try {
          await pollUntil(
            `${q.panel}: ${q.expr}`,
            async () => {
              last =
                missing(
                  (await prometheus.query(q.expr)).map((r) => r.metric),
                  q,
                ) ?? '';
              return last === '' ? true : undefined;
            },
            { timeoutMs: 15_000, intervalMs: 500 },
          );
          return undefined;
        } catch {
          return `${q.panel}: ${q.expr}: ${last}`;
        }
      }),
    );
    assert.deepEqual(problems.filter(Boolean), []);
  });

  it("when promtool checks each service's /metrics, then it reports no problem, warnings included", () => {
    for (const name of SERVICES) assert.deepEqual(promtoolCheckMetrics(expositions.get(name)!), [], name);
  });
});
