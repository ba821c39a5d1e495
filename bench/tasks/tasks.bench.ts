// Tasks: (a) trivial-task throughput vs bare pg-boss, (b) progress() → WebSocket client latency vs raw NOTIFY,
// (c) RSS and delivery times with thousands of task.onProgress subscriptions on one API process.
import postgres from 'postgres';
import { docrpcClient, docrpcEnv, register, startDocrpc } from '../lib/docrpc.js';
import { type Dist, envInt } from '../lib/measure.js';
import { type AreaResult, type BenchContext, fixed, over, ratio } from '../lib/report.js';
import { fanout, latency } from './progress.js';
import { type Run, throughput } from './throughput.js';

const distRow = (name: string, d: Dist) => [
  name,
  String(d.n),
  fixed(d.p50, 2),
  fixed(d.p90, 2),
  fixed(d.p99, 2),
  fixed(d.max, 2),
];

export async function run(ctx: BenchContext): Promise<AreaResult> {
  const s = {
    tasks: envInt('BENCH_TASKS', 1000),
    concurrency: envInt('BENCH_TASKS_CONCURRENCY', 20),
    capMs: envInt('BENCH_TASKS_CAP_S', 10) * 1000,
    rounds: ctx.rounds,
    latencySteps: envInt('BENCH_LATENCY_STEPS', 1000),
    latencyStepMs: envInt('BENCH_LATENCY_STEP_MS', 5),
    subscriptions: envInt('BENCH_SUBS', 2000),
    sockets: (process.env.BENCH_SOCKETS ?? '1,20')
      .split(',')
      .map(Number)
      .filter((n) => n > 0),
    fanoutSteps: envInt('BENCH_FANOUT_STEPS', 8),
    fanoutStepMs: envInt('BENCH_FANOUT_STEP_MS', 3000),
  };
  const env: NodeJS.ProcessEnv = {
    ...(await docrpcEnv(ctx, 'bench_tasks')),
    LOG_LEVEL: 'warn',
    DEMO_TASKS_ENABLED: 'true',
    // (c) opens all its subscriptions on as few as one socket: the per-connection bound must let it.
    WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: String(s.subscriptions),
  };
  const dbUrl = String(env.DATABASE_URL);
  const api = await startDocrpc(ctx, 'docrpc', env);
  const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
  let a: Awaited<ReturnType<typeof throughput>>;
  let b: Awaited<ReturnType<typeof latency>>;
  let token: string;
  try {
    token = await register(api.port);
    const client = docrpcClient(api.port, token);
    console.log(`(a) ${s.tasks} demo tasks {steps: 1, stepMs: 0}, ${s.concurrency} callers`);
    a = await throughput({ client, sql, pid: api.pid, dbPids: ctx.dbPids, url: dbUrl, env }, s);
    console.log(`(b) one task of ${s.latencySteps} steps ${s.latencyStepMs} ms apart`);
    b = await latency({ port: api.port, token, dbUrl, steps: s.latencySteps, stepMs: s.latencyStepMs });
  } finally {
    await sql.end();
    // (c) starts its own API process and a worker-only one; a second in-process worker would share the jobs.
    await api.stop();
  }
  const c = [];
  for (const sockets of s.sockets) {
    console.log(
      `(c) ${s.subscriptions} subscriptions over ${sockets} socket(s), ${s.fanoutSteps} steps ${s.fanoutStepMs} ms apart`,
    );
    c.push(
      await fanout(ctx, {
        env,
        token,
        sockets,
        subscriptions: s.subscriptions,
        steps: s.fanoutSteps,
        stepMs: s.fanoutStepMs,
      }),
    );
  }

  const perTask = (ms: number | null, r?: Run) => (ms === null || !r?.done ? null : (ms * 1000) / r.done);
  const runRow = (name: string, r?: Run) => [
    name,
    r && r.done < r.of ? `${r.done} of ${r.of}` : String(r?.done ?? '-'),
    fixed(r?.perSec),
    fixed(r?.enqueueMs),
    fixed(perTask(r?.procMs ?? null, r)),
    fixed(perTask(r?.dbMs ?? null, r)),
  ];
  const cpuPerTask = (r?: Run) => perTask(r ? (r.procMs ?? 0) + r.dbMs : null, r);
  const rounds = ctx.rounds > 1 ? `, median of ${ctx.rounds} rounds` : '';
  return {
    area: 'tasks',
    settings: s,
    tables: [
      {
        title: `(a) ${s.tasks} trivial tasks, ${s.concurrency} concurrent callers, capped at ${s.capMs / 1000} s${rounds}`,
        head: ['', 'done', 'per s', 'enqueue ms', 'process µs/task', 'db µs/task'],
        rows: [runRow('bare pg-boss, same settings', a.bare), runRow('docrpc', a.docrpc)],
      },
      {
        title: '(b) per progress event',
        head: ['interval', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
        rows: [
          distRow('raw pg_notify → LISTEN (baseline)', b.raw),
          distRow('progress() → onData in a WS client', b.docrpc),
        ],
      },
      {
        title: `(c) ${s.subscriptions} subscriptions to one task; delivery = progress() → onData`,
        head: [
          'sockets',
          'open s',
          'RSS before MiB',
          'after open',
          'KiB/sub',
          'after task',
          'API µs/delivery',
          'commits/seq',
          'delivery p50 ms',
          'p99',
          'last sub p99',
        ],
        rows: c.map((r) => [
          String(r.sockets),
          fixed(r.openMs / 1000, 1),
          fixed(r.rssMiB.before, 1),
          fixed(r.rssMiB.open, 1),
          fixed(r.kibPerSubscription, 1),
          fixed(r.rssMiB.after, 1),
          fixed(r.apiUsPerDelivery),
          fixed(r.commitsPerSeq),
          fixed(r.delivery.p50),
          fixed(r.delivery.p99),
          fixed(r.lastSubscriber.p99),
        ]),
      },
    ],
    ratios: [
      ratio('(a) docrpc tasks/s', a.docrpc?.perSec ?? null, { min: 500 }),
      ratio('(a) docrpc / bare pg-boss, tasks/s', over(a.docrpc?.perSec, a.bare?.perSec)),
      ratio(
        '(a) docrpc / bare pg-boss, by CPU per task (process + db)',
        over(cpuPerTask(a.bare), cpuPerTask(a.docrpc)),
      ),
      ratio('(b) progress() → client p99, ms', b.docrpc.p99, { max: 25 }),
      ratio('(b) progress() → client p50 / raw NOTIFY p50', over(b.docrpc.p50, b.raw.p50)),
    ],
    failures: [a.failure, b.docrpc.n < s.latencySteps / 2 ? `(b) only ${b.docrpc.n} events` : null].filter(
      (f): f is string => f !== null,
    ),
    figures: { throughput: a, latency: b, fanout: c },
  };
}
