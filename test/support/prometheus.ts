import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, pollUntil } from '@pressroom/test-support';

const PROMETHEUS_BIN = '/usr/bin/prometheus';
const PROMTOOL_BIN = '/usr/bin/promtool';

/** Fails with how to install them: a missing Prometheus fails the run, it never skips. */
export function assertPrometheusInstalled(): void {
  const missing = [PROMETHEUS_BIN, PROMTOOL_BIN].filter((bin) => !existsSync(bin));
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(' and ')} not found: install Debian's prometheus package (as root: bash scripts/setup-prometheus.sh, or apt-get install -y prometheus)`,
    );
  }
}

export interface ScrapeTarget {
  job: string;
  port: number;
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
}

/**
 * Debian's Prometheus on a loopback port, with a generated config (in a temp dir) that scrapes `targets` every
 * second and loads `ruleFiles` (absolute paths), evaluating them every second too.
 */
export async function startPrometheus(targets: ScrapeTarget[], ruleFiles: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'pressroom-prometheus-'));
  const port = await freePort();
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: ruleFiles,
    scrape_configs: targets.map((t) => ({ job_name: t.job, metrics_path: '/metrics', static_configs: [{ targets: [`127.0.0.1:${t.port}`] }] })),
  };
  // JSON is YAML: no serialiser needed for the config file.
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const child = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;

  async function stop(): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  }

  try {
    await pollUntil(
      'Prometheus to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output.join('')}`);
        return (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200 ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, lastSeen: () => output.join('').slice(-2000) },
    );
  } catch (err) {
    await stop();
    throw err;
  }

  async function api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${url}/api/v1/${path}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as ApiAnswer<T>;
    if (body.status !== 'success') throw new Error(`Prometheus ${path} ${JSON.stringify(params)}: ${body.error ?? res.status}`);
    return body.data;
  }

  return {
    url,
    output,
    stop,
    /** The active targets: job, health ('up', 'down', 'unknown') and last scrape error. */
    targets: async () => (await api<{ activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }> }>('targets')).activeTargets,
    /** Every rule group loaded from the rule files, with each rule's health ('ok', 'err', 'unknown'). */
    ruleGroups: async () =>
      (await api<{ groups: Array<{ name: string; file: string; rules: Array<{ name: string; health: string; lastError?: string }> }> }>('rules')).groups,
    /** An instant query: the label sets of the series it returns. */
    query: async (expr: string) => (await api<{ resultType: string; result: Array<{ metric: Record<string, string> }> }>('query', { query: expr })).result,
  };
}

export type Prometheus = Awaited<ReturnType<typeof startPrometheus>>;

/** `promtool check metrics` on one exposition: every problem it reports, warnings included (empty when clean). */
export function promtoolCheckMetrics(exposition: string): string[] {
  const r = spawnSync(PROMTOOL_BIN, ['check', 'metrics'], { input: exposition, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  const problems = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
  return r.status === 0 ? problems : [`exit status ${r.status}`, ...problems];
}
