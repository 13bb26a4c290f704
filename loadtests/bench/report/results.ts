import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { GatewayBenchResult } from '../gateway/gateway-bench.ts';
import type { LlmCacheBenchResult } from '../llm/llm-cache-bench.ts';
import type { PipelineBenchResult } from '../pipeline/pipeline-bench.ts';
import type { SoakResult } from '../pipeline/soak-bench.ts';
import { ROOT } from '../support/child-process.ts';
import type { BenchOptions } from '../support/cli-options.ts';
import type { ProfileSummary } from '../support/cpu-profile.ts';
import { gatewayTable, llmTable, pipelineTables, profileSection, soakTable } from './tables.ts';
import { TARGETS, gatewayChecks, pipelineChecks } from './targets.ts';

export interface BenchResults {
  startedAt: string;
  finishedAt?: string;
  command: string;
  /** The code measured: the numbers move as the product changes, so every result names its commit. */
  code: { commit: string; modifiedFiles: number };
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; loadAverageAtStart: number; loadAverageAtEnd?: number };
  options: BenchOptions;
  targets: typeof TARGETS;
  gateway?: GatewayBenchResult;
  gatewayProfile?: ProfileSummary;
  pipeline?: PipelineBenchResult;
  llm?: LlmCacheBenchResult;
  soak?: SoakResult;
  /** Every target with its verdict, as in the tables. */
  verdicts?: { gateway?: Record<string, unknown>; pipeline?: unknown[] };
  errors: Record<string, string>;
}

export const RESULTS_DIR = join(ROOT, 'bench', 'results');

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

export function newResults(options: BenchOptions): BenchResults {
  const cpu = cpus();
  return {
    startedAt: new Date().toISOString(),
    command: `pnpm bench ${process.argv.slice(2).join(' ')}`.trim(),
    code: {
      commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
      modifiedFiles: git(['status', '--porcelain', '--untracked-files=no']).split('\n').filter(Boolean).length,
    },
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAverageAtStart: loadavg()[0]!,
    },
    options,
    targets: TARGETS,
    errors: {},
  };
}

export function renderMarkdown(r: BenchResults): string {
  const load = `load average ${r.machine.loadAverageAtStart.toFixed(2)} at the start, ${r.machine.loadAverageAtEnd?.toFixed(2) ?? '?'} at the end`;
  const parts = [
    `# Pressroom benchmark, ${r.startedAt}`,
    '',
    `\`${r.command}\` on ${r.code.commit}${r.code.modifiedFiles ? ` (+${r.code.modifiedFiles} modified files)` : ''}; ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, Node ${r.machine.node}; ${load} (above ${r.machine.cpus}, other work competed for the cores).`,
  ];
  if (r.gateway) parts.push('', '## Gateway', '', gatewayTable(r.gateway));
  if (r.pipeline) parts.push('', '## Pipeline', '', pipelineTables(r.pipeline));
  if (r.llm) parts.push('', '## LLM response cache', '', llmTable(r.llm));
  if (r.soak) parts.push('', '## Soak', '', soakTable(r.soak));
  for (const [suite, message] of Object.entries(r.errors)) parts.push('', `**${suite} failed:** ${message}`);
  if (r.gatewayProfile || r.pipeline?.profiles) parts.push('', '## CPU profiles (the profiler itself inflates the CPU figures above)');
  if (r.gatewayProfile) parts.push('', profileSection('gateway, gateway table', r.gatewayProfile));
  for (const [name, prof] of Object.entries(r.pipeline?.profiles ?? {})) parts.push('', profileSection(`${name}, whole pipeline run`, prof));
  return `${parts.join('\n')}\n`;
}

/** Writes `<timestamp>.json/.md` and `latest.json/.md` under bench/results/ (git-ignored). */
export async function saveResults(r: BenchResults): Promise<{ json: string; md: string; markdown: string }> {
  await mkdir(RESULTS_DIR, { recursive: true });
  r.verdicts = {
    ...(r.gateway ? { gateway: Object.fromEntries(gatewayChecks(r.gateway)) } : {}),
    ...(r.pipeline ? { pipeline: pipelineChecks(r.pipeline) } : {}),
  };
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
