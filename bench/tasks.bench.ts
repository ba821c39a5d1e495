// `npm run bench:tasks`: background tasks end to end: (a) trivial-task throughput vs bare pg-boss, (b) progress() →
// WS-client latency vs raw NOTIFY, (c) RSS and delivery time with 2,000 progress subscriptions on one API process.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchDb, startBenchDb } from './lib/bench-db.js';
import { killAllOnExit } from './lib/child.js';
import { loadAverage1m } from './lib/cpu-usage.js';
import { summarizeFile } from './lib/cpuprofile.js';
import { machineInfo, resultFileName } from './lib/report.js';
import { runMain } from './lib/run-main.js';
import { type FanoutResult, fanoutPhase } from './tasks/fanout.js';
import { type LatencyResult, latencyPhase } from './tasks/latency.js';
import { type NotifyRecorder, startNotifyRecorder } from './tasks/notify-recorder.js';
import {
  apiClient,
  forkChild,
  type Run,
  register,
  startDocrpc,
  stopChild,
  stopProcess,
} from './tasks/processes.js';
import type { BaselineApi, SubscriberApi } from './tasks/protocol.js';
import { printLogTails, printResults } from './tasks/report.js';
import { settings } from './tasks/settings.js';
import { type ThroughputPhase, throughputPhase } from './tasks/throughput-phase.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function fail(message: string): never {
  throw new Error(message);
}

async function main(): Promise<number> {
  const s = settings();
  const run: Run = {
    root: ROOT,
    tmpDir: mkdtempSync(join(tmpdir(), 'docrpc-tasks-bench-')),
    servers: [],
    children: [],
    profile: new Set(s.profile),
    profiles: [],
  };
  // Readable by the postgres OS user (when root), so the embedded cluster stays inside tmpDir and goes with it.
  chmodSync(run.tmpDir, 0o755);
  const keep = Boolean(process.env.BENCH_KEEP_TMP);
  let db: BenchDb | undefined;
  let recorder: NotifyRecorder | undefined;
  const cleanup = async (): Promise<void> => {
    await Promise.all(run.children.splice(0).map((c) => c.stop()));
    await Promise.all(run.servers.splice(0).map((s) => stopProcess(run, s)));
    await recorder?.close().catch(() => undefined);
    await db?.stopAndRemove();
    if (keep) console.log(`temp files kept in ${run.tmpDir} (BENCH_KEEP_TMP)`);
    else rmSync(run.tmpDir, { recursive: true, force: true });
  };
  killAllOnExit(cleanup);
  const machine = machineInfo();
  const loads: Record<string, number> = { start: loadAverage1m() };
  console.log(
    `tasks benchmark: ${machine.cpus} x ${machine.cpuModel}, node ${machine.node}, load average ${loads.start}; ` +
      `temp dir ${run.tmpDir}`,
  );
  if ((loads.start ?? 0) > 0.6) console.log('note: the machine is already busy; figures will be noisy');
  const failures: string[] = [];
  try {
    process.stdout.write(`starting embedded PostgreSQL (${s.ephemeralDb ? 'fsync off' : 'durable'}) ... `);
    db = await startBenchDb(join(run.tmpDir, 'pg'), { ephemeral: s.ephemeralDb });
    const dbPids = db.pids.bind(db);
    const rec = await startNotifyRecorder(db.url);
    recorder = rec;
    console.log('ready');
    const env: NodeJS.ProcessEnv = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATA_DIR: join(run.tmpDir, 'docrpc-data'),
      DATABASE_URL: db.url,
      JWT_SECRET: randomBytes(32).toString('hex'),
      DEMO_TASKS_ENABLED: 'true',
      AUTH_RATE_LIMIT: '100000',
    };
    const api = await startDocrpc(run, 'docrpc', env);
    const token = await register(api.port);
    const phases = new Set(s.phases);
    const baseline = phases.has('a')
      ? await forkChild<BaselineApi>(run, 'boss-baseline', 'bench/tasks/boss-baseline.ts', env)
      : null;
    const baselineSettings = await baseline?.call('settings', null);
    let a: ThroughputPhase | null = null;
    if (baseline) {
      loads.a = loadAverage1m();
      console.log(
        `(a) ${s.tasks} demo tasks {steps: 1, stepMs: 0}, ${s.concurrency} callers, ${s.rounds} round(s), ` +
          `load ${loads.a} ...`,
      );
      a = await throughputPhase({
        client: apiClient(api.port, token),
        sql: rec.sql,
        baseline,
        serverPid: api.pid,
        dbPids,
        tasks: s.tasks,
        concurrency: s.concurrency,
        rounds: s.rounds,
        capMs: s.capSec * 1000,
      });
      if (a.failed) failures.push(`(a) ${a.failed}`);
      await stopChild(run, baseline);
    }

    const subscriber =
      phases.has('b') || phases.has('c')
        ? await forkChild<SubscriberApi>(run, 'subscriber', 'bench/tasks/subscriber.ts', {})
        : null;
    let b: LatencyResult | null = null;
    if (subscriber && phases.has('b')) {
      loads.b = loadAverage1m();
      console.log(
        `(b) demo task {steps: ${s.latencySteps}, stepMs: ${s.latencyStepMs}}, load ${loads.b} ...`,
      );
      b = await latencyPhase({
        client: apiClient(api.port, token),
        subscriber,
        recorder: rec,
        wsUrl: `ws://127.0.0.1:${api.port}/trpc`,
        token,
        steps: s.latencySteps,
        stepMs: s.latencyStepMs,
        minEvents: s.latencyEvents,
      });
      if (b.unmatched > 0) failures.push(`(b) ${b.unmatched} events without a NOTIFY`);
      if (b.events < s.latencyEvents) failures.push(`(b) only ${b.events} events matched`);
    }
    // (c) starts its own API process and a worker-only one; two in-process workers would share the jobs.
    await stopProcess(run, api.server);

    const c: FanoutResult[] = [];
    for (const sockets of subscriber && phases.has('c') ? s.socketConfigs : []) {
      loads[`c${sockets}`] = loadAverage1m();
      console.log(
        `(c) ${s.subscriptions} subscriptions over ${sockets} socket(s) to ${s.fanoutTasks} task(s) ` +
          `{steps: ${s.fanoutSteps}, stepMs: ${s.fanoutStepMs}}, load ${loads[`c${sockets}`]} ...`,
      );
      const r = await fanoutPhase({
        run,
        env,
        token,
        subscriber: subscriber ?? fail('no subscriber'),
        recorder: rec,
        dbPids,
        sockets,
        subscriptions: s.subscriptions,
        tasks: s.fanoutTasks,
        steps: s.fanoutSteps,
        stepMs: s.fanoutStepMs,
      });
      c.push(r);
      if (r.missing > 0)
        failures.push(`(c) ${sockets} sockets: ${r.missing} (subscriber, seq) never delivered`);
    }
    loads.end = loadAverage1m();

    printResults({ s, a, b, c });
    // Whole process life, so it includes start-up; the measured phase dominates only when it is long enough.
    for (const p of run.profiles) console.log(`\nprofile of ${p.id}:\n${summarizeFile(p.dir, 25)}`);

    const date = new Date();
    const resultsDir = join(ROOT, 'bench/results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, resultFileName('tasks', date));
    const record = {
      benchmark: 'tasks',
      date: date.toISOString(),
      machine: { ...machine, loadAvg1m: loads },
      settings: {
        ...s,
        database: s.ephemeralDb ? 'embedded, fsync off' : 'embedded, durable',
        baselineSettings,
      },
      throughput: a,
      latency: b,
      fanout: c,
      failures,
    };
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    console.log(`\nresults: ${file}`);
  } catch (err) {
    failures.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
  for (const f of failures) console.log(`FAILED: ${f}`);
  if (failures.length > 0) printLogTails(run.tmpDir);
  await cleanup();
  return failures.length === 0 ? 0 : 1;
}

runMain(main);
