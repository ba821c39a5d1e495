// (b) progress() → onData of a task.onProgress subscription over WebSocket, against raw pg_notify → LISTEN;
// (c) many subscriptions on one API process (worker in another): RSS per subscription and delivery times.
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import postgres from 'postgres';
import superjson from 'superjson';
import type { AppRouter } from '../../src/app-router.js';
import { docrpcClient, startDocrpc } from '../lib/docrpc.js';
import { cpuMs, cpuSince, dist, settledRss, wallNow } from '../lib/measure.js';
import type { BenchContext } from '../lib/report.js';

interface Sub {
  seqs: number[];
  /** Arrival of each event here, and the row's updated_at it carries: now() of the UPDATE progress() sends. */
  at: number[];
  changedAt: number[];
  done: Promise<void>;
}

/** Opens `count` subscriptions to a task, round-robin over `sockets` WebSockets; resolves once each has its first event. */
async function subscribe(url: string, token: string, taskId: string, count: number, sockets: number) {
  const ws = Array.from({ length: sockets }, () => createWSClient({ url, connectionParams: { token } }));
  const clients = ws.map((client) =>
    createTRPCClient<AppRouter>({ links: [wsLink({ client, transformer: superjson })] }),
  );
  const handles: { unsubscribe(): void }[] = [];
  const subs: Sub[] = [];
  const firsts: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const client = clients[i % sockets];
    if (!client) throw new Error('no sockets');
    const seqs: number[] = [];
    const at: number[] = [];
    const changedAt: number[] = [];
    let first = () => {};
    firsts.push(new Promise<void>((r) => (first = r)));
    const done = new Promise<void>((resolve, reject) => {
      const handle = client.task.onProgress.subscribe(
        { taskId },
        {
          onData: (event) => {
            // Taken first, before any work of ours.
            at.push(wallNow());
            seqs.push(Number(event.id));
            changedAt.push(event.data.updatedAt.getTime());
            first();
          },
          onError: reject,
          onComplete: resolve,
        },
      );
      handles.push(handle);
    });
    done.catch(first);
    subs.push({ seqs, at, changedAt, done });
  }
  await Promise.all(firsts);
  return {
    subs,
    async close() {
      for (const h of handles) h.unsubscribe();
      await Promise.all(ws.map((w) => w.close()));
    },
  };
}

/** Every subscription completed (its task ended), or an error after timeoutMs. */
async function allDone(subs: Sub[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`subscriptions not completed in ${timeoutMs} ms`)), timeoutMs);
  });
  await Promise.race([Promise.all(subs.map((s) => s.done)), timeout]).finally(() => clearTimeout(timer));
}

/** Per event after each subscription's first (its initial read): arrival minus the progress() UPDATE's time. */
const deliveries = (subs: Sub[]): number[] =>
  subs.flatMap((s) => s.at.slice(1).map((at, i) => at - (s.changedAt[i + 1] ?? at)));

export async function latency(o: {
  port: number;
  token: string;
  dbUrl: string;
  steps: number;
  stepMs: number;
}) {
  // Baseline: pg_notify from one connection to a LISTEN on another, same pacing.
  const sql = postgres(o.dbUrl, { max: 2, onnotice: () => {} });
  const sent = new Map<string, number>();
  const raw: number[] = [];
  const listener = await sql.listen('bench_ping', (payload) =>
    raw.push(wallNow() - (sent.get(payload) ?? Number.NaN)),
  );
  for (let i = 0; i < o.steps; i++) {
    sent.set(String(i), wallNow());
    await sql`select pg_notify('bench_ping', ${String(i)})`;
    await new Promise((r) => setTimeout(r, o.stepMs));
  }
  await new Promise((r) => setTimeout(r, 200)); // the last ones may still be on their way
  await listener.unlisten();
  await sql.end();
  const task = await docrpcClient(o.port, o.token).task.createDemo.mutate({
    steps: o.steps,
    stepMs: o.stepMs,
  });
  const { subs, close } = await subscribe(`ws://127.0.0.1:${o.port}/trpc`, o.token, task.id, 1, 1);
  await allDone(subs, o.steps * (o.stepMs + 50) + 30_000);
  await close();
  return { raw: dist(raw), docrpc: dist(deliveries(subs)) };
}

export async function fanout(
  ctx: BenchContext,
  o: {
    env: NodeJS.ProcessEnv;
    token: string;
    sockets: number;
    subscriptions: number;
    steps: number;
    stepMs: number;
  },
) {
  // No in-process worker: the task stays queued (quiet) while subscriptions open and memory is measured.
  const api = await startDocrpc(ctx, `docrpc-fanout-${o.sockets}`, { ...o.env, WORKER_ENABLED: 'false' });
  const sql = postgres(String(o.env.DATABASE_URL), { max: 1, onnotice: () => {} });
  try {
    const client = docrpcClient(api.port, o.token);
    const url = `ws://127.0.0.1:${api.port}/trpc`;
    // Warm-up, so "before" already has the WebSocket and subscription code loaded and compiled.
    const warm = await client.task.createDemo.mutate({ steps: 1, stepMs: 0 });
    await (await subscribe(url, o.token, warm.id, 50, o.sockets)).close();
    const task = await client.task.createDemo.mutate({ steps: o.steps, stepMs: o.stepMs });
    const rssBefore = await settledRss(api.pid);
    const started = performance.now();
    const { subs, close } = await subscribe(url, o.token, task.id, o.subscriptions, o.sockets);
    const openMs = performance.now() - started;
    const rssOpen = await settledRss(api.pid);
    const commits = async () =>
      Number(
        (
          await sql<
            { n: string }[]
          >`select xact_commit::text as n from pg_stat_database where datname = current_database()`
        )[0]?.n,
      );
    // Counted from when the worker is up, so its start-up (pg-boss, migrations check) is left out.
    const worker = await startDocrpc(ctx, `worker-fanout-${o.sockets}`, o.env, 'worker');
    const commits0 = await commits();
    const db = cpuSince(ctx.dbPids);
    const cpu0 = cpuMs(api.pid) ?? 0;
    await allDone(subs, (o.steps + 2) * (o.stepMs + 5000));
    const apiCpuMs = (cpuMs(api.pid) ?? 0) - cpu0;
    const dbMs = db();
    await worker.stop();
    await close();
    const rssAfter = await settledRss(api.pid);
    // PostgreSQL publishes its counters about once a second; settledRss waited 3.
    const commitCount = (await commits()) - commits0;
    const every = deliveries(subs);
    // Per seq, when its last subscriber had it (or a later one, which carries the newer state: coalesced).
    const changed = new Map<number, number>();
    for (const s of subs) for (const [i, q] of s.seqs.entries()) changed.set(q, s.changedAt[i] ?? 0);
    const opened = Math.max(...subs.map((s) => s.seqs[0] ?? 0));
    const last = [...changed]
      .filter(([seq]) => seq > opened)
      .map(([seq, t]) =>
        Math.max(...subs.map((s) => (s.at[s.seqs.findIndex((q) => q >= seq)] ?? Number.NaN) - t)),
      );
    const MiB = 2 ** 20;
    return {
      sockets: o.sockets,
      subscriptions: subs.length,
      openMs,
      rssMiB: { before: rssBefore / MiB, open: rssOpen / MiB, after: rssAfter / MiB },
      kibPerSubscription: (rssOpen - rssBefore) / 1024 / subs.length,
      apiUsPerDelivery: (apiCpuMs * 1000) / Math.max(1, every.length),
      dbMs,
      commitsPerSeq: commitCount / Math.max(1, last.length),
      delivery: dist(every),
      lastSubscriber: dist(last),
    };
  } finally {
    await sql.end();
    await api.stop();
  }
}
