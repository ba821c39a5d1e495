// (c) Many onProgress subscriptions on one API process: its RSS per subscription, then NOTIFY → last-subscriber time.
import { setTimeout as sleep } from 'node:timers/promises';
import { processCpuMs } from '../lib/cpu-usage.js';
import type { IpcChild } from '../lib/ipc-child.js';
import { sampleRss } from '../lib/rss.js';
import { fanoutDelivery } from './fanout-math.js';
import { matchEvents } from './latency.js';
import type { NotifyRecorder, NotifyTimes } from './notify-recorder.js';
import { apiClient, type Run, startDocrpc, startWorkerProcess, stopProcess } from './processes.js';
import type { SubscriberApi } from './protocol.js';
import { type Dist, dist } from './stats.js';

export interface FanoutResult {
  sockets: number;
  subscriptions: number;
  tasks: number;
  steps: number;
  stepMs: number;
  openMs: number;
  rss: { beforeMiB: number; afterOpenMiB: number; bytesPerSubscription: number; afterDriveMiB: number };
  seqs: number;
  deliveries: number;
  skipped: number;
  missing: number;
  lastSubscriber: Dist;
  medianSubscriber: Dist;
  perDelivery: Dist;
  drive: {
    ms: number;
    serverCpuMs: number | null;
    serverCpuUsPerDelivery: number | null;
    dbCpuMs: number;
    subscriberCpuMs: number | null;
    dbCommits: number;
    dbCommitsPerSeq: number;
  };
}

const MiB = 2 ** 20;
const cpuOf = (pids: number[]): number => pids.reduce((s, pid) => s + (processCpuMs(pid) ?? 0), 0);

/** Median RSS over a short window: one sample can land mid-GC. */
async function settledRss(pid: number, ms = 2_000): Promise<number> {
  await sleep(1_000);
  const sampler = sampleRss(pid, 100);
  await sleep(ms);
  const stats = sampler.stop();
  if (stats.medianBytes === null) throw new Error(`no RSS for pid ${pid}`);
  return stats.medianBytes;
}

export async function fanoutPhase(opts: {
  run: Run;
  env: NodeJS.ProcessEnv;
  token: string;
  subscriber: IpcChild<SubscriberApi>;
  recorder: NotifyRecorder;
  dbPids: () => number[];
  sockets: number;
  subscriptions: number;
  tasks: number;
  steps: number;
  stepMs: number;
}): Promise<FanoutResult> {
  const { run, subscriber, recorder } = opts;
  const id = `docrpc-fanout-${opts.sockets}`;
  // No in-process worker: the tasks stay queued (quiet) while the subscriptions open and memory is measured.
  const api = await startDocrpc(run, id, { ...opts.env, WORKER_ENABLED: 'false' });
  const client = apiClient(api.port, opts.token);
  const wsUrl = `ws://127.0.0.1:${api.port}/trpc`;
  // Warm-up, so "before" already has the WebSocket and subscription code loaded and compiled.
  const warm = await client.task.createDemo.mutate({ steps: 1, stepMs: 0 });
  const sockets = opts.sockets;
  await subscriber.call('open', {
    url: wsUrl,
    token: opts.token,
    sockets,
    targets: [{ taskId: warm.id, count: 50 }],
  });
  await subscriber.call('close', null);
  const tasks = [];
  for (let i = 0; i < opts.tasks; i++)
    tasks.push(await client.task.createDemo.mutate({ steps: opts.steps, stepMs: opts.stepMs }));
  const per = Math.ceil(opts.subscriptions / tasks.length);
  const targets = tasks.map((t, i) => ({
    taskId: t.id,
    count: Math.min(per, opts.subscriptions - i * per),
  }));

  const rssBefore = await settledRss(api.pid);
  const opened = await subscriber.call('open', { url: wsUrl, token: opts.token, sockets, targets }, 300_000);
  const rssAfterOpen = await settledRss(api.pid);

  recorder.start();
  const worker = await startWorkerProcess(run, `worker-fanout-${opts.sockets}`, opts.env);
  const commitsBefore = await dbCommits(recorder);
  const cpu0 = { server: processCpuMs(api.pid), db: cpuOf(opts.dbPids()), sub: processCpuMs(subscriber.pid) };
  const started = performance.now();
  const timeoutMs = (opts.steps + 2) * (opts.stepMs + 5_000) + 30_000;
  const done = await subscriber.call('waitCompleted', { timeoutMs }, timeoutMs + 5_000);
  const driveMs = performance.now() - started;
  const cpu1 = { server: processCpuMs(api.pid), db: cpuOf(opts.dbPids()), sub: processCpuMs(subscriber.pid) };
  // Only the measured tasks: the warm-up task also runs once the worker is up.
  const all = recorder.stop();
  const times: NotifyTimes = new Map();
  for (const t of tasks) times.set(t.id, all.get(t.id) ?? new Map());
  await stopProcess(run, worker);
  const records = await subscriber.call('collect', null, 300_000);
  await subscriber.call('close', null);
  const rssAfterDrive = await settledRss(api.pid);
  // Postgres publishes its counters about once a second; the wait above covered that.
  const commits = (await dbCommits(recorder)) - commitsBefore;
  await stopProcess(run, api.server);

  const errors = records.filter((r) => r.error !== null);
  if (errors.length > 0) throw new Error(`${errors.length} subscriptions failed: ${errors[0]?.error}`);
  if (done.completed !== done.total)
    throw new Error(`only ${done.completed} of ${done.total} subscriptions completed in ${timeoutMs} ms`);
  const per1 = matchEvents(records, times);
  const fan = fanoutDelivery(records, times);
  const seqs = [...times.values()].reduce((s, m) => s + m.size, 0);
  const serverCpuMs = cpu0.server === null || cpu1.server === null ? null : cpu1.server - cpu0.server;
  return {
    sockets,
    subscriptions: opened.subscriptions,
    tasks: tasks.length,
    steps: opts.steps,
    stepMs: opts.stepMs,
    openMs: opened.ms,
    rss: {
      beforeMiB: rssBefore / MiB,
      afterOpenMiB: rssAfterOpen / MiB,
      bytesPerSubscription: (rssAfterOpen - rssBefore) / opened.subscriptions,
      afterDriveMiB: rssAfterDrive / MiB,
    },
    seqs,
    deliveries: per1.delays.length,
    skipped: per1.skipped,
    missing: fan.missing,
    lastSubscriber: dist(fan.lastSubscriberMs),
    medianSubscriber: dist(fan.medianSubscriberMs),
    perDelivery: dist(per1.delays),
    drive: {
      ms: driveMs,
      serverCpuMs,
      serverCpuUsPerDelivery: serverCpuMs === null ? null : (serverCpuMs * 1000) / per1.delays.length,
      dbCpuMs: cpu1.db - cpu0.db,
      subscriberCpuMs: cpu0.sub === null || cpu1.sub === null ? null : cpu1.sub - cpu0.sub,
      dbCommits: commits,
      dbCommitsPerSeq: seqs > 0 ? commits / seqs : 0,
    },
  };
}

async function dbCommits(recorder: NotifyRecorder): Promise<number> {
  const [row] = await recorder.sql<{ n: string }[]>`
    select xact_commit::text as n from pg_stat_database where datname = current_database()`;
  return Number(row?.n ?? 0);
}
