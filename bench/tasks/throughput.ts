// (a) Trivial tasks end to end: concurrent task.createDemo calls to docrpc (API + in-process worker) until all
// have ended, against bare pg-boss in this process: docrpc's queue and worker settings, a no-op job, no rows.
import { setTimeout as sleep } from 'node:timers/promises';
import { type JobResult, type JobWithMetadata, PgBoss } from 'pg-boss';
import type postgres from 'postgres';
import { loadConfig } from '../../src/config.js';
import type { DocrpcClient } from '../lib/docrpc.js';
import { cpuMs, cpuSince, medianBy } from '../lib/measure.js';

export interface Run {
  done: number;
  of: number;
  perSec: number;
  enqueueMs: number;
  /** CPU ms of the process under test (docrpc's API, or this one for pg-boss) and of PostgreSQL. */
  procMs: number | null;
  dbMs: number;
  statuses?: Record<string, number>;
}

type Settings = { tasks: number; concurrency: number; capMs: number; rounds: number };

async function callers(
  n: number,
  concurrency: number,
  send: (i: number) => Promise<unknown>,
): Promise<number> {
  const started = performance.now();
  let issued = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < n) await send(issued++);
    }),
  );
  return performance.now() - started;
}

/** docrpc's startJobQueue and workOptions (src/jobs), restated: the baseline may not import them. */
async function bareBoss(url: string, env: NodeJS.ProcessEnv) {
  const { jobs } = loadConfig(env);
  const boss = new PgBoss({
    connectionString: url,
    schema: 'pgboss',
    max: jobs.poolMax,
    superviseIntervalSeconds: jobs.superviseIntervalSeconds,
    monitorIntervalSeconds: jobs.superviseIntervalSeconds,
    useListenNotify: true,
    schedule: false,
  });
  boss.on('error', (err: unknown) => console.error('bare pg-boss:', err));
  await boss.start();
  // The demo queue's settings as docrpc created them (retries, expiry, heartbeat, notify).
  const demo = await boss.getQueue('task-demo');
  if (!demo) throw new Error('docrpc has no task-demo queue');
  const d = demo as typeof demo & { notify?: boolean };
  const options = {
    expireInSeconds: d.expireInSeconds,
    retentionSeconds: d.retentionSeconds,
    deleteAfterSeconds: d.deleteAfterSeconds,
    retryLimit: d.retryLimit,
    retryDelay: d.retryDelay,
    retryBackoff: d.retryBackoff,
    retryDelayMax: d.retryDelayMax,
    heartbeatSeconds: d.heartbeatSeconds,
    notify: d.notify,
  };
  const queue = 'bench-noop';
  if (await boss.getQueue(queue)) await boss.deleteQueue(queue);
  await boss.createQueue(queue, options);
  const fetchers = Math.ceil(jobs.workerConcurrency / jobs.workerFetchBatch);
  const batchSize = Math.floor(jobs.workerConcurrency / fetchers);
  let onJobs = (_n: number) => {};
  await boss.work(
    queue,
    {
      batchSize,
      localConcurrency: fetchers,
      burstWhenBatchFull: batchSize > 1,
      includeMetadata: true,
      perJobResults: true,
      pollingIntervalSeconds: 2,
      notifyPollingIntervalSeconds: 2,
    },
    async (batch: JobWithMetadata<object>[]): Promise<JobResult[]> => {
      onJobs(batch.length);
      return batch.map((job) => ({ id: job.id, status: 'completed' }));
    },
  );
  return {
    stop: () => boss.stop({ graceful: true, timeout: 3000, close: true }),
    async run(s: Settings, n: number, dbPids: () => number[]): Promise<Run> {
      let done = 0;
      const cpu0 = process.cpuUsage();
      const db = cpuSince(dbPids);
      const started = performance.now();
      const finished = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), s.capMs);
        onJobs = (count) => {
          done += count;
          if (done < n) return;
          clearTimeout(timer);
          resolve(true);
        };
      });
      const enqueueMs = await callers(n, s.concurrency, (i) => boss.send(queue, { i }));
      const ok = await finished;
      const ms = performance.now() - started;
      const cpu = process.cpuUsage(cpu0);
      const out = {
        done,
        of: n,
        perSec: (done * 1000) / ms,
        enqueueMs,
        procMs: (cpu.user + cpu.system) / 1000,
        dbMs: db(),
      };
      if (!ok) await boss.deleteQueuedJobs(queue);
      // Let the last completions land before whatever is measured next.
      for (let i = 0; i < 400; i++) {
        const q = await boss.getQueue(queue);
        if (q?.activeCount === 0 && q.queuedCount === 0) break;
        await sleep(25);
      }
      return out;
    },
  };
}

async function docrpcRun(
  o: { client: DocrpcClient; sql: postgres.Sql; pid: number; dbPids: () => number[] },
  s: Settings,
  n: number,
): Promise<Run> {
  const ids: string[] = [];
  const cpu0 = cpuMs(o.pid);
  const db = cpuSince(o.dbPids);
  const started = performance.now();
  const enqueueMs = await callers(n, s.concurrency, async () => {
    ids.push((await o.client.task.createDemo.mutate({ steps: 1, stepMs: 0 })).id);
  });
  // Read from the table, not through the API: polling task.list took ~30 % of a core from the server.
  const unfinished = () => o.sql<{ id: string }[]>`
    select id from tasks where id in ${o.sql(ids)} and status in ('queued', 'running')`;
  while ((await unfinished()).length > 0 && performance.now() - started < s.capMs) await sleep(20);
  const ms = performance.now() - started;
  const cpu1 = cpuMs(o.pid);
  const dbMs = db();
  const rows = await o.sql<{ status: string; n: number }[]>`
    select status::text as status, count(*)::int as n from tasks where id in ${o.sql(ids)} group by 1`;
  const statuses = Object.fromEntries(rows.map((r) => [r.status, r.n]));
  // Past the cap, what is left is cancelled so it does not run into the next measurement.
  for (const { id } of await unfinished()) await o.client.task.cancel.mutate({ id }).catch(() => undefined);
  for (let i = 0; i < 200 && (await unfinished()).length > 0; i++) await sleep(50);
  const done = statuses.succeeded ?? 0;
  const procMs = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
  return { done, of: n, perSec: (done * 1000) / ms, enqueueMs, procMs, dbMs, statuses };
}

export async function throughput(
  o: {
    client: DocrpcClient;
    sql: postgres.Sql;
    pid: number;
    dbPids: () => number[];
    url: string;
    env: NodeJS.ProcessEnv;
  },
  s: Settings,
) {
  const bare = await bareBoss(o.url, o.env);
  const runs = { bare: [] as Run[], docrpc: [] as Run[] };
  try {
    // Warm-up (JIT, pools, pg-boss caches), thrown away; then alternating rounds, so drift hits both alike.
    const warm = Math.max(50, Math.round(s.tasks / 10));
    await bare.run(s, warm, o.dbPids);
    await docrpcRun(o, s, warm);
    for (let r = 0; r < s.rounds; r++) {
      runs.bare.push(await bare.run(s, s.tasks, o.dbPids));
      runs.docrpc.push(await docrpcRun(o, s, s.tasks));
    }
  } finally {
    await bare.stop();
  }
  const failed = runs.docrpc.find((r) => (r.statuses?.failed ?? 0) > 0);
  return {
    bare: medianBy(runs.bare, (r) => r.perSec),
    docrpc: medianBy(runs.docrpc, (r) => r.perSec),
    runs,
    failure: failed ? `tasks failed: ${JSON.stringify(failed.statuses)}` : null,
  };
}
