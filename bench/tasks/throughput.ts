// (a) Trivial tasks end to end through docrpc: concurrent task.createDemo calls until none of them is unfinished.
import { setTimeout as sleep } from 'node:timers/promises';
import type postgres from 'postgres';
import { processCpuMs } from '../lib/cpu-usage.js';
import type { ApiClient } from './processes.js';

export interface ThroughputRun {
  tasks: number;
  concurrency: number;
  /** All tasks ended before capMs. */
  finished: boolean;
  /** Tasks that succeeded by the end of the measurement (all of them when finished). */
  completed: number;
  /** First create sent → the poll that found no queued or running task answered (or capMs). */
  ms: number;
  /** First create sent → last create answered. */
  createMs: number;
  /** completed / ms. */
  tasksPerSec: number;
  /** Status of the created tasks when the measurement ended, read straight from the tasks table. */
  statuses: Record<string, number>;
  polls: number;
  serverCpuMs: number | null;
  dbCpuMs: number | null;
}

const POLL_MS = 20;

const cpuOf = (pids: number[]): number => pids.reduce((s, pid) => s + (processCpuMs(pid) ?? 0), 0);

export async function docrpcThroughput(opts: {
  client: ApiClient;
  sql: postgres.Sql;
  tasks: number;
  concurrency: number;
  serverPid: number;
  dbPids: () => number[];
  capMs: number;
}): Promise<ThroughputRun> {
  const { client, tasks, concurrency } = opts;
  const ids: string[] = [];
  const cpuBefore = processCpuMs(opts.serverPid);
  const dbBefore = cpuOf(opts.dbPids());
  const started = performance.now();
  let issued = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < tasks) {
        issued += 1;
        const task = await client.task.createDemo.mutate({ steps: 1, stepMs: 0 });
        ids.push(task.id);
      }
    }),
  );
  const createMs = performance.now() - started;
  // Every created task is queued or running until it ends, so "none of either" means all have ended.
  let polls = 0;
  let finished = false;
  while (performance.now() - started < opts.capMs) {
    polls += 1;
    if (await noneUnfinished(opts.sql, ids)) {
      finished = true;
      break;
    }
    await sleep(POLL_MS);
  }
  const ms = performance.now() - started;
  const cpuAfter = processCpuMs(opts.serverPid);
  const dbAfter = cpuOf(opts.dbPids());
  const rows = await opts.sql<{ status: string; n: number }[]>`
    select status::text as status, count(*)::int as n from tasks where id in ${opts.sql(ids)}
    group by 1`;
  const statuses = Object.fromEntries(rows.map((r) => [r.status, r.n]));
  if (!finished) await cancelLeftovers(opts.client, opts.sql, ids);
  const completed = statuses.succeeded ?? 0;
  return {
    tasks,
    concurrency,
    finished,
    completed,
    ms,
    createMs,
    tasksPerSec: (completed * 1000) / ms,
    statuses,
    polls,
    serverCpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
    dbCpuMs: dbAfter - dbBefore,
  };
}

/**
 * Read straight from the table, not through task.list: two API calls every 20 ms took ~30 % of a core
 * from the server being measured, while the baseline learns of its completions in-process for free.
 */
async function noneUnfinished(sql: postgres.Sql, ids: string[]): Promise<boolean> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from tasks where id in ${sql(ids)} and status in ('queued', 'running')`;
  return row?.n === 0;
}

/** Past the cap, what is left is cancelled through the API so it does not run into the next measurement. */
async function cancelLeftovers(client: ApiClient, sql: postgres.Sql, ids: string[]): Promise<void> {
  const left = await sql<{ id: string }[]>`
    select id from tasks where id in ${sql(ids)} and status in ('queued', 'running')`;
  const queue = left.map((r) => r.id);
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      for (let id = queue.pop(); id !== undefined; id = queue.pop())
        // One may have ended in between: TASK_ALREADY_COMPLETED is fine.
        await client.task.cancel.mutate({ id }).catch(() => undefined);
    }),
  );
  // Running handlers notice the cancel by their 1 s poll.
  for (let i = 0; i < 200 && !(await noneUnfinished(sql, ids)); i++) await sleep(50);
}

export { POLL_MS };
