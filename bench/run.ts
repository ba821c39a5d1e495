// `npm run bench`: system.info throughput of docrpc vs bare tRPC vs raw node:http, each server in its own process.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BenchContext,
  benchTarget,
  inRoundOrder,
  type Outcome,
  type Target,
} from './lib/bench-target.js';
import { killAllOnExit } from './lib/child.js';
import { loadAverage1m } from './lib/cpu-usage.js';
import { cpuRatio, envInt, fmtRatio, machineInfo, medianOutcome, ratio, table } from './lib/report.js';
import { runMain } from './lib/run-main.js';
import { detectTool } from './load.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PATH = '/trpc/system.info';
const TARGET_RATIO = 0.8;

function targets(tmpDir: string): Target[] {
  // Same NODE_ENV everywhere so no server gets a dev-mode penalty the others don't.
  const common = { NODE_ENV: 'production' };
  const tsx = ['--import', 'tsx'];
  return [
    {
      name: 'raw node',
      id: 'raw-node',
      args: [...tsx, 'bench/servers/raw-node.ts'],
      env: common,
      readyPath: PATH,
    },
    {
      name: 'bare tRPC',
      id: 'bare-trpc',
      args: [...tsx, 'bench/servers/bare-trpc.ts'],
      env: common,
      readyPath: PATH,
    },
    {
      name: 'docrpc',
      id: 'docrpc',
      args: [...tsx, 'src/main.ts'],
      env: {
        ...common,
        DATA_DIR: join(tmpDir, 'data'),
        LOG_LEVEL: process.env.BENCH_DOCRPC_LOG_LEVEL ?? 'info',
        JWT_SECRET: randomBytes(32).toString('hex'),
      },
      readyPath: '/ready',
      // The first start initialises the embedded PostgreSQL cluster, which takes a while.
      readyTimeoutMs: 60_000,
    },
  ];
}

async function main(): Promise<number> {
  killAllOnExit();
  const tmpDir = mkdtempSync(join(tmpdir(), 'docrpc-bench-'));
  // Readable by the postgres OS user (when root), so the embedded cluster stays inside tmpDir and goes with it.
  chmodSync(tmpDir, 0o755);

  const ctx: BenchContext = {
    root: ROOT,
    tmpDir,
    tool: detectTool(),
    settings: { connections: envInt('BENCH_CONNECTIONS', 50), durationSec: envInt('BENCH_DURATION', 10) },
    warmupSec: 2,
    path: PATH,
  };
  const rounds = envInt('BENCH_ROUNDS', 1);
  const machine = machineInfo();
  const load = loadAverage1m();
  console.log(
    `system.info benchmark: load tool ${ctx.tool}, ${ctx.settings.connections} connections, ` +
      `${ctx.settings.durationSec}s per server after ${ctx.warmupSec}s warm-up, ${rounds} round(s)\n` +
      `machine: ${machine.cpus} x ${machine.cpuModel}, node ${machine.node}, load average ${load}; logs in ${tmpDir}`,
  );
  if (load > 0.5)
    console.log('note: the machine is already busy; req/s will be low and noisy (compare cpu µs/req)');

  const list = targets(tmpDir);
  const byId = new Map<string, Outcome[]>(list.map((t) => [t.id, []]));
  // Rounds cycle through all servers so drift and neighbours' load hit every server alike.
  for (let r = 1; r <= rounds; r++) {
    if (rounds > 1) console.log(`round ${r}/${rounds}`);
    for (const target of inRoundOrder(list, r)) {
      const runs = byId.get(target.id) ?? [];
      if (target.id === 'docrpc' && !existsSync(join(ROOT, 'src/main.ts'))) {
        console.log('  docrpc: FAILED: src/main.ts does not exist');
        runs.push({ name: target.name, id: target.id, ok: false, error: 'src/main.ts missing', logFile: '' });
      } else {
        runs.push(await benchTarget(target, ctx));
      }
      byId.set(target.id, runs);
    }
  }

  const outcomes = list
    .map((t) => medianOutcome(byId.get(t.id) ?? []))
    .filter((o): o is Outcome => o !== undefined);
  const find = (id: string): Outcome | undefined => outcomes.find((o) => o.id === id);
  const docrpcOverBare = ratio(find('docrpc'), find('bare-trpc'));
  const bareOverRaw = ratio(find('bare-trpc'), find('raw-node'));
  const cpuDocrpcVsBare = cpuRatio(find('docrpc'), find('bare-trpc'));
  const cpuBareVsRaw = cpuRatio(find('bare-trpc'), find('raw-node'));
  console.log(`\n${rounds > 1 ? `median of ${rounds} rounds by req/s\n` : ''}${table(outcomes)}\n`);
  const verdict =
    docrpcOverBare === null ? '' : docrpcOverBare >= TARGET_RATIO ? ' (meets target)' : ' (BELOW target)';
  console.log(
    `docrpc / bare tRPC   = ${fmtRatio(docrpcOverBare)} req/s  target >= ${TARGET_RATIO}${verdict}`,
  );
  console.log(`bare tRPC / raw node = ${fmtRatio(bareOverRaw)} req/s`);
  console.log(
    `same ratios from server CPU per request: docrpc vs bare ${fmtRatio(cpuDocrpcVsBare)}, ` +
      `bare vs raw ${fmtRatio(cpuBareVsRaw)}`,
  );

  const date = new Date();
  const resultsDir = join(ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  // Colons are not portable in file names, so the ISO timestamp uses dashes in its time part.
  const stamp = date
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const file = join(resultsDir, `system-info-${stamp}.json`);
  const flat = (o: Outcome): Record<string, unknown> =>
    o.ok ? { name: o.name, ok: true, ...o.result, ...o.cpu } : { name: o.name, ok: false, error: o.error };
  const record = {
    benchmark: 'system.info',
    date: date.toISOString(),
    machine: { ...machine, loadAvg1mAtStart: load },
    tool: ctx.tool,
    settings: { ...ctx.settings, warmupSec: ctx.warmupSec, rounds, path: PATH, method: 'GET' },
    servers: outcomes.map(flat),
    ratios: {
      docrpcOverBareTrpc: docrpcOverBare,
      bareTrpcOverRawNode: bareOverRaw,
      target: TARGET_RATIO,
      cpuPerRequest: { docrpcVsBareTrpc: cpuDocrpcVsBare, bareTrpcVsRawNode: cpuBareVsRaw },
    },
    allRounds: Object.fromEntries([...byId].map(([id, runs]) => [id, runs.map(flat)])),
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`results: ${file}`);

  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length === 0 && !process.env.BENCH_KEEP_TMP) rmSync(tmpDir, { recursive: true, force: true });
  else console.log(`server logs kept in ${tmpDir}`);
  return failed.length === 0 ? 0 : 1;
}

runMain(main);
