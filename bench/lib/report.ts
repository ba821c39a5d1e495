// Formats benchmark outcomes as a text table and collects the machine facts stored with each result.
import { cpus, platform, release, totalmem } from 'node:os';
import type { Outcome } from './bench-target.js';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  totalMemGiB: number;
  os: string;
  node: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    totalMemGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()}`,
    node: process.version,
  };
}

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** Aligned text table: first column left-aligned, the others right-aligned (they are numbers). */
export function formatTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

const us = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : v.toFixed(0));

/** dbCpu adds the database's CPU per request (when the context measured it) and the sum of both. */
export function table(outcomes: Outcome[], options: { dbCpu?: boolean } = {}): string {
  const head = ['server', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'sock err', 'cpu µs/req', 'cpu %'];
  if (options.dbCpu) head.push('db µs/req', 'total µs/req');
  const rows = outcomes.map((o) => {
    if (!o.ok) return [o.name, 'FAILED', ...head.slice(2).map(() => '-')];
    const row = [
      o.name,
      o.result.requestsPerSec.toFixed(0),
      o.result.p50Ms.toFixed(2),
      o.result.p99Ms.toFixed(2),
      String(o.result.non2xx),
      String(o.result.socketErrors),
      us(o.cpu.cpuUsPerRequest),
      o.cpu.cpuPercent === null ? '-' : o.cpu.cpuPercent.toFixed(0),
    ];
    if (options.dbCpu) row.push(us(o.cpu.dbCpuUsPerRequest), us(totalCpuUsPerRequest(o)));
    return row;
  });
  return formatTable(head, rows);
}

/** Server plus database CPU per request, or null when either is unknown. */
export function totalCpuUsPerRequest(o: Outcome | undefined): number | null {
  if (!o?.ok) return null;
  const { cpuUsPerRequest: server, dbCpuUsPerRequest: db } = o.cpu;
  return server === null || db === null || db === undefined ? null : server + db;
}

/** bench/results/<prefix>-<ISO time>.json; colons are not portable in file names, so the time uses dashes. */
export function resultFileName(prefix: string, date: Date): string {
  const stamp = date
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  return `${prefix}-${stamp}.json`;
}

/** a / b of two outcomes' req/s, or null when either failed. */
export function ratio(a: Outcome | undefined, b: Outcome | undefined): number | null {
  if (!a?.ok || !b?.ok || b.result.requestsPerSec === 0) return null;
  return a.result.requestsPerSec / b.result.requestsPerSec;
}

/** Efficiency ratio b / a of CPU per request (higher = a is cheaper), or null. */
export function cpuRatio(a: Outcome | undefined, b: Outcome | undefined): number | null {
  if (!a?.ok || !b?.ok) return null;
  const x = a.cpu.cpuUsPerRequest;
  const y = b.cpu.cpuUsPerRequest;
  return x === null || y === null || x === 0 ? null : y / x;
}

export function fmtRatio(r: number | null): string {
  return r === null ? 'n/a' : r.toFixed(3);
}

/** The round whose req/s is the median (a failed round wins), so its latency figures come from the same run. */
export function medianOutcome(rounds: Outcome[]): Outcome | undefined {
  const failed = rounds.find((o) => !o.ok);
  if (failed) return failed;
  const sorted = [...rounds].sort((a, b) =>
    a.ok && b.ok ? a.result.requestsPerSec - b.result.requestsPerSec : 0,
  );
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
