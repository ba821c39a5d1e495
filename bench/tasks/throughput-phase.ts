// (a) for one worker setting: warm-up, then rounds alternating bare pg-boss (baseline child) and docrpc, with CPU.
import { processCpuMs } from '../lib/cpu-usage.js';
import type { IpcChild } from '../lib/ipc-child.js';
import type { ApiClient } from './processes.js';
import type { BaselineApi, BaselineRun } from './protocol.js';
import type { ThroughputRow } from './report.js';
import { docrpcThroughput, type ThroughputRun } from './throughput.js';

export interface ThroughputPhase {
  baseline: (BaselineRun & { procCpuMs: number | null; dbCpuMs: number })[];
  docrpc: ThroughputRun[];
  /** The rounds whose rate is the median, as table rows. */
  rows: ThroughputRow[];
  ratio: number;
  cpuRatio: number | null;
  failed: string | null;
}

const cpuOf = (pids: number[]): number => pids.reduce((s, pid) => s + (processCpuMs(pid) ?? 0), 0);

function medianBy<T>(list: T[], key: (t: T) => number): T {
  const sorted = [...list].sort((a, b) => key(a) - key(b));
  const m = sorted[Math.floor((sorted.length - 1) / 2)];
  if (m === undefined) throw new Error('no rounds');
  return m;
}

export async function throughputPhase(opts: {
  client: ApiClient;
  sql: Parameters<typeof docrpcThroughput>[0]['sql'];
  baseline: IpcChild<BaselineApi>;
  serverPid: number;
  dbPids: () => number[];
  tasks: number;
  concurrency: number;
  rounds: number;
  capMs: number;
}): Promise<ThroughputPhase> {
  const { baseline, tasks, capMs } = opts;
  const docrpc = (n: number, concurrency: number) =>
    docrpcThroughput({
      client: opts.client,
      sql: opts.sql,
      tasks: n,
      concurrency,
      serverPid: opts.serverPid,
      dbPids: opts.dbPids,
      capMs,
    });
  const bare = async (n: number, concurrency: number) => {
    const cpu = processCpuMs(baseline.pid);
    const db = cpuOf(opts.dbPids());
    const r = await baseline.call('run', { jobs: n, concurrency, capMs }, capMs + 60_000);
    const cpuAfter = processCpuMs(baseline.pid);
    return {
      ...r,
      procCpuMs: cpu === null || cpuAfter === null ? null : cpuAfter - cpu,
      dbCpuMs: cpuOf(opts.dbPids()) - db,
    };
  };
  // Warm-up (JIT, connection pools, pg-boss caches); thrown away.
  const warm = Math.max(50, Math.round(tasks / 10));
  await bare(warm, opts.concurrency);
  await docrpc(warm, opts.concurrency);
  const b: ThroughputPhase['baseline'] = [];
  const d: ThroughputRun[] = [];
  // Alternating, so drift and the neighbours' load hit both alike.
  for (let r = 0; r < opts.rounds; r++) {
    b.push(await bare(tasks, opts.concurrency));
    d.push(await docrpc(tasks, opts.concurrency));
  }
  const mb = medianBy(b, (x) => x.jobsPerSec);
  const md = medianBy(d, (x) => x.tasksPerSec);
  // Past the cap unfinished tasks are a result, not an error; a failed task or a lost one is an error.
  const failedRun = d.find((x) => (x.statuses.failed ?? 0) > 0 || (x.finished && x.completed !== x.tasks));
  const rows: ThroughputRow[] = [
    {
      name: 'bare pg-boss, same options',
      perSec: mb.jobsPerSec,
      ms: mb.ms,
      enqueueMs: mb.sendMs,
      procCpuMs: mb.procCpuMs,
      dbCpuMs: mb.dbCpuMs,
      count: mb.completed,
      of: mb.jobs,
    },
    {
      name: 'docrpc',
      perSec: md.tasksPerSec,
      ms: md.ms,
      enqueueMs: md.createMs,
      procCpuMs: md.serverCpuMs,
      dbCpuMs: md.dbCpuMs,
      count: md.completed,
      of: md.tasks,
    },
  ];
  const total = (r: ThroughputRow): number | null =>
    r.procCpuMs === null ? null : r.procCpuMs + (r.dbCpuMs ?? 0);
  const [tb, td] = rows.map(total);
  return {
    baseline: b,
    docrpc: d,
    rows,
    ratio: md.tasksPerSec / mb.jobsPerSec,
    cpuRatio: tb === null || td === null || tb === undefined || td === undefined || td === 0 ? null : tb / td,
    failed: failedRun ? `tasks not all succeeded: ${JSON.stringify(failedRun.statuses)}` : null,
  };
}
