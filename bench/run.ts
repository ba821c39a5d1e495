// `npm run bench [area...]`: runs the benchmarks of the named areas (all by default) against one embedded
// PostgreSQL, each against its baselines in the same run, and writes bench/results/latest.{md,json}.
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from './lib/cluster.js';
import { loadTool } from './lib/load.js';
import { envInt, loadAverage } from './lib/measure.js';
import { printLogTails } from './lib/processes.js';
import { type AreaResult, type BenchContext, machine, writeResults } from './lib/report.js';

type Area = { run(ctx: BenchContext): Promise<AreaResult> };
const AREAS: Record<string, () => Promise<Area>> = {
  system: () => import('./system/system-info.bench.js'),
  auth: () => import('./auth/login.bench.js'),
  files: () => import('./files/files.bench.js'),
  rest: () => import('./rest/rest.bench.js'),
  tasks: () => import('./tasks/tasks.bench.js'),
  summaries: () => import('./documents/summary.js'),
  extraction: () => import('./documents/extraction.js'),
};

async function main(): Promise<number> {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !(n in AREAS));
  if (unknown.length)
    throw new Error(`unknown area ${unknown.join(', ')}; areas: ${Object.keys(AREAS).join(', ')}`);
  const areas = names.length ? names : Object.keys(AREAS);
  const tmp = mkdtempSync(join(tmpdir(), 'docrpc-bench-'));
  // Readable by the postgres OS user (when root), so the cluster stays inside tmp and goes with it.
  chmodSync(tmp, 0o755);
  const keep = Boolean(process.env.BENCH_KEEP_TMP);
  const ephemeral = process.env.BENCH_PG_EPHEMERAL === '1';
  const settings = {
    rounds: envInt('BENCH_ROUNDS', 1),
    load: {
      connections: envInt('BENCH_CONNECTIONS', 50),
      seconds: envInt('BENCH_DURATION', 10),
      warmupSec: 2,
    },
    nodeFlags: (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
  };
  const load = { start: loadAverage(), end: 0 };
  console.log(`benchmarks ${areas.join(', ')}; load average ${load.start}; temp dir ${tmp}`);
  if (load.start > 0.5) console.log('note: the machine is busy; judge by CPU per request rather than rates');
  const cluster = await startCluster(join(tmp, 'pg'), ephemeral);
  const cleanup = async () => {
    await cluster.stop();
    if (!keep) rmSync(tmp, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      const bounded = new Promise((r) => setTimeout(r, 20_000));
      void Promise.race([cleanup(), bounded]).finally(() => process.exit(130));
    });

  const results: AreaResult[] = [];
  for (const area of areas) {
    const ctx: BenchContext = {
      ...settings,
      tmpDir: join(tmp, area),
      database: (name) => cluster.database(name),
      dbPids: () => cluster.pids(),
    };
    mkdirSync(ctx.tmpDir);
    console.log(`\n${area} (load average ${loadAverage()})`);
    const result = await (await AREAS[area]?.())?.run(ctx).catch(
      (err: unknown): AreaResult => ({
        area,
        settings: {},
        tables: [],
        ratios: [],
        failures: [err instanceof Error ? (err.stack ?? err.message) : String(err)],
        figures: null,
      }),
    );
    if (!result) continue;
    results.push(result);
    if (result.failures.length) printLogTails(ctx.tmpDir);
  }
  load.end = loadAverage();
  const run = {
    date: new Date().toISOString(),
    ...machine(),
    postgres: `${cluster.version} (embedded, ${ephemeral ? 'fsync off' : 'durable'})`,
    loadAverage: load,
    tool: loadTool(),
    settings,
  };
  console.log(`\n${writeResults(run, results)}\n\nwritten to bench/results/latest.md and latest.json`);
  await cleanup();
  if (keep) console.log(`temp files kept in ${tmp}`);
  return results.some((r) => r.failures.length) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
