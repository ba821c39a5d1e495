// What an area hands back (tables, ratios against its baselines, failures) and how the runner writes them:
// bench/results/latest.md, latest.json and a timestamped copy of the JSON.
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './processes.js';

export interface BenchContext {
  /** This area's temp dir (logs, files); removed after the run unless BENCH_KEEP_TMP. */
  tmpDir: string;
  /** A fresh database in the run's PostgreSQL cluster. */
  database(name: string): Promise<string>;
  /** The postmaster and all its children: their CPU is the database's cost. */
  dbPids(): number[];
  rounds: number;
  /** wrk/autocannon settings for the request-rate benchmarks. */
  load: { connections: number; seconds: number; warmupSec: number };
  /** BENCH_NODE_FLAGS, given to every docrpc process (e.g. --cpu-prof, --trace-gc). */
  nodeFlags: string[];
}

export interface Table {
  title: string;
  head: string[];
  rows: string[][];
}

export interface Ratio {
  name: string;
  value: number | null;
  /** e.g. ">= 0.80"; absent for figures shown for context. */
  target?: string;
  met?: boolean;
}

export interface AreaResult {
  area: string;
  settings: Record<string, unknown>;
  tables: Table[];
  ratios: Ratio[];
  failures: string[];
  /** Every figure measured, for the JSON. */
  figures: unknown;
}

export const fixed = (v: number | null | undefined, digits = 0): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);

/** a / b, or null when either is missing or b is 0. */
export const over = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || !b ? null : a / b;

export function ratio(name: string, value: number | null, target?: { min?: number; max?: number }): Ratio {
  if (!target) return { name, value };
  const { min, max } = target;
  const met = value !== null && (min === undefined || value >= min) && (max === undefined || value < max);
  return { name, value, target: min !== undefined ? `>= ${min}` : `< ${max}`, met };
}

function markdownTable(t: Table): string {
  const widths = t.head.map((h, i) => Math.max(h.length, 3, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(t.head), rule, ...t.rows.map(line)].join('\n');
}

function areaMarkdown(r: AreaResult): string {
  const parts = [`## ${r.area}`, ''];
  for (const t of r.tables) parts.push(`${t.title}\n`, markdownTable(t), '');
  for (const q of r.ratios) {
    const verdict = q.target ? ` (target ${q.target}: ${q.met ? 'met' : 'BELOW'})` : '';
    parts.push(`- ${q.name}: **${fixed(q.value, 3)}**${verdict}`);
  }
  for (const f of r.failures) parts.push(`- FAILED: ${f}`);
  return parts.join('\n');
}

export function machine() {
  const list = cpus();
  const git = (cmd: string) => {
    try {
      return execSync(`git ${cmd}`, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    cpus: `${list.length} x ${list[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 29) / 2,
    os: `${platform()} ${release()}`,
    node: process.version,
    commit: `${git('rev-parse --short HEAD')}${git('status --porcelain') ? ' (with uncommitted changes)' : ''}`,
  };
}

export function writeResults(run: Record<string, unknown> & { date: string }, areas: AreaResult[]): string {
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify({ ...run, areas }, null, 2)}\n`;
  writeFileSync(join(dir, 'latest.json'), json);
  writeFileSync(join(dir, `${run.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`), json);
  const head = Object.entries(run)
    .filter(([k]) => k !== 'date')
    .map(([k, v]) => `- ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const md = [`# Benchmark run ${run.date}`, head.join('\n'), ...areas.map(areaMarkdown)].join('\n\n');
  writeFileSync(join(dir, 'latest.md'), `${md}\n`);
  return md;
}
