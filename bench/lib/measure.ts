// What the benchmarks read about processes and samples: CPU time and RSS from /proc, load, percentiles.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/**
 * User + system CPU ms a process used so far (all its threads), or null without /proc. Figures are
 * also given per request / per GiB because neighbours on a shared box move CPU far less than req/s.
 */
export function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // utime and stime: fields 14 and 15, counted after the ")" that closes the command name.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return null;
  }
}

/** Summed CPU ms of several processes (one that ended in between counts as 0). */
export const cpuMsOf = (pids: number[]): number => pids.reduce((s, pid) => s + (cpuMs(pid) ?? 0), 0);

/** Starts counting a set of processes' CPU; the returned function gives the ms used since. */
export function cpuSince(pids: () => number[]): () => number {
  const before = cpuMsOf(pids());
  return () => cpuMsOf(pids()) - before;
}

function rssBytes(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Samples VmRSS every intervalMs until stop(), which gives the median and the peak seen. */
export function sampleRss(pid: number, intervalMs = 50): () => { median: number; peak: number } {
  const values: number[] = [];
  const take = (): void => {
    const v = rssBytes(pid);
    if (v !== null) values.push(v);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return () => {
    clearInterval(timer);
    take();
    return { median: median(values) ?? 0, peak: Math.max(0, ...values) };
  };
}

/** Median RSS over a short quiet window: one sample can land mid-GC. */
export async function settledRss(pid: number): Promise<number> {
  await sleep(1000);
  const stop = sampleRss(pid, 100);
  await sleep(2000);
  return stop().median;
}

export const loadAverage = (): number => Math.round((loadavg()[0] ?? 0) * 100) / 100;

/** Nearest rank, so every figure is a value that was observed. */
function percentile(values: number[], p: number): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? null;
}

export const median = (values: number[]): number | null => percentile(values, 50);

export interface Dist {
  n: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

export function dist(values: number[]): Dist {
  const at = (p: number) => percentile(values, p);
  return { n: values.length, p50: at(50), p90: at(90), p99: at(99), max: at(100) };
}

/** The element whose key is the median (so all its figures come from the same round). */
export function medianBy<T>(list: T[], key: (t: T) => number): T | undefined {
  return [...list].sort((a, b) => key(a) - key(b))[Math.floor((list.length - 1) / 2)];
}

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** Wall-clock ms with sub-ms resolution: comparable with timestamps PostgreSQL writes on the same machine. */
export const wallNow = (): number => performance.timeOrigin + performance.now();
