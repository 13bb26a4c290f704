import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { GatewayBenchResult } from '../gateway/gateway-bench.ts';
import type { LlmCacheBenchResult } from '../llm/llm-cache-bench.ts';
import type { PipelineBenchResult } from '../pipeline/pipeline-bench.ts';
import type { SoakResult } from '../pipeline/soak-bench.ts';
import { ROOT } from '../support/child-process.ts';
import type { BenchOptions } from '../support/cli-options.ts';
import type { ProfileSummary } from '../support/cpu-profile.ts';
import { markdownTable, tableRows } from './targets.ts';

export interface BenchResults {
  startedAt: string;
  finishedAt?: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string };
  options: BenchOptions;
  gateway?: GatewayBenchResult;
  gatewayProfile?: ProfileSummary;
  pipeline?: PipelineBenchResult;
  llm?: LlmCacheBenchResult;
  soak?: SoakResult;
  errors: Record<string, string>;
}

export const RESULTS_DIR = join(ROOT, 'bench', 'results');

export function newResults(options: BenchOptions): BenchResults {
  const cpu = cpus();
  return {
    startedAt: new Date().toISOString(),
    machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    options,
    errors: {},
  };
}

export function renderMarkdown(r: BenchResults): string {
  const parts = [
    `# Pressroom benchmark, ${r.startedAt}`,
    '',
    `${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, Node ${r.machine.node}. \`pnpm bench ${process.argv.slice(2).join(' ')}\``,
    '',
    markdownTable(tableRows(r)),
  ];
  for (const [suite, message] of Object.entries(r.errors)) parts.push('', `**${suite} failed:** ${message}`);
  if (r.gatewayProfile) {
    parts.push('', `## Gateway CPU profile (self time, ${r.gatewayProfile.totalMs} ms sampled)`, '', '| self % | function | where |', '|---|---|---|');
    for (const f of r.gatewayProfile.top) parts.push(`| ${f.selfPct} | ${f.functionName} | ${f.where} |`);
    parts.push('', '| self % | package |', '|---|---|');
    for (const p of r.gatewayProfile.byPackage) parts.push(`| ${p.selfPct} | ${p.name} |`);
  }
  return `${parts.join('\n')}\n`;
}

/** Writes `<timestamp>.json/.md` and `latest.json/.md` under bench/results/ (git-ignored). */
export async function saveResults(r: BenchResults): Promise<{ json: string; md: string; markdown: string }> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const stamp = r.startedAt.replace(/[:.]/g, '-');
  const markdown = renderMarkdown(r);
  const json = `${JSON.stringify(r, null, 2)}\n`;
  const files = { json: join(RESULTS_DIR, `${stamp}.json`), md: join(RESULTS_DIR, `${stamp}.md`) };
  await Promise.all([
    writeFile(files.json, json),
    writeFile(files.md, markdown),
    writeFile(join(RESULTS_DIR, 'latest.json'), json),
    writeFile(join(RESULTS_DIR, 'latest.md'), markdown),
  ]);
  return { ...files, markdown };
}
