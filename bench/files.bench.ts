// `npx tsx bench/files.bench.ts`: docrpc's file upload/download vs raw node:http, and an authenticated
// file.list vs bare tRPC baselines, all against one embedded PostgreSQL started here.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchDb, startBenchDb } from './lib/bench-db.js';
import { type BenchContext, benchTarget, inRoundOrder, type Outcome } from './lib/bench-target.js';
import { killAllOnExit, stopServer } from './lib/child.js';
import { loadAverage1m } from './lib/cpu-usage.js';
import { LIST_PATH, listTargets } from './lib/files-list.js';
import { type ListResult, report, type Settings } from './lib/files-results.js';
import { cleanup, launch, printLogTails, ROOT, type Run, register } from './lib/files-run.js';
import { runTransfers, seedFiles, type TransferOutcome } from './lib/files-transfer.js';
import { envInt, machineInfo, medianOutcome } from './lib/report.js';
import { runMain } from './lib/run-main.js';
import { writeAsciiFile } from './lib/source-file.js';
import { detectTool } from './load.js';

const MIB = 2 ** 20;

async function transferPhase(
  run: Run,
  docrpcEnv: NodeJS.ProcessEnv,
  settings: Settings,
): Promise<{ outcome: TransferOutcome; token: string }> {
  const { fileMiB, rounds } = settings;
  const file = join(run.tmpDir, 'source.txt');
  process.stdout.write(`writing ${fileMiB} MiB of ASCII text to ${file} ... `);
  const source = { file, ...writeAsciiFile(file, fileMiB) };
  console.log('done');
  const rawDir = join(run.tmpDir, 'raw-store');
  const rawBlobDir = join(run.tmpDir, 'raw-blob-store');
  mkdirSync(rawDir);
  mkdirSync(rawBlobDir);
  // BENCH_TRANSFER_NODE_FLAGS (e.g. --trace-gc) goes to all three transfer servers alike, for diagnosis.
  const tsx = [
    ...(process.env.BENCH_TRANSFER_NODE_FLAGS ?? '').split(' ').filter(Boolean),
    '--import',
    'tsx',
  ];
  const [docrpc, raw, rawBlob] = await Promise.all([
    launch(run, {
      name: 'docrpc',
      id: 'docrpc-transfer',
      args: [...tsx, 'src/main.ts'],
      env: docrpcEnv,
      readyPath: '/ready',
    }),
    launch(run, {
      name: 'raw node',
      id: 'raw-upload',
      args: [...tsx, 'bench/servers/raw-upload.ts'],
      env: { NODE_ENV: 'production', RAW_DIR: rawDir },
      readyPath: '/health',
    }),
    launch(run, {
      name: 'raw + blob store',
      id: 'raw-upload-blob',
      args: [...tsx, 'bench/servers/raw-upload.ts'],
      env: { NODE_ENV: 'production', RAW_DIR: rawBlobDir, RAW_STORE: 'blob' },
      readyPath: '/health',
    }),
  ]);
  const token = await register(docrpc.port);
  console.log(`(a)+(b) upload and download of ${fileMiB} MiB (sync before each, raw first):`);
  const outcome = await runTransfers({ docrpc, raw, rawDir, rawBlob, rawBlobDir, token, source, rounds });
  const seedDir = join(run.tmpDir, 'seed');
  mkdirSync(seedDir);
  await seedFiles({ port: docrpc.port, token, count: settings.seedFiles, dir: seedDir });
  // The big files are not needed any more; free the disk before the load tests.
  rmSync(file, { force: true });
  rmSync(rawDir, { recursive: true, force: true });
  rmSync(rawBlobDir, { recursive: true, force: true });
  for (const s of run.servers.splice(0)) await stopServer(s);
  return { outcome, token };
}

async function listPhase(
  run: Run,
  db: BenchDb,
  settings: Settings,
  env: { docrpc: NodeJS.ProcessEnv; token: string; jwtSecret: string },
): Promise<ListResult> {
  const profiled = (process.env.BENCH_PROFILE ?? '').split(',').filter(Boolean);
  const targets = listTargets({
    tmpDir: run.tmpDir,
    token: env.token,
    docrpcEnv: env.docrpc,
    databaseUrl: db.url,
    jwtSecret: env.jwtSecret,
    profile: new Set(profiled),
  });
  const ctx: BenchContext = {
    root: ROOT,
    tmpDir: run.tmpDir,
    tool: settings.tool,
    settings: { connections: settings.connections, durationSec: settings.durationSec },
    warmupSec: settings.warmupSec,
    path: LIST_PATH,
    dbPids: () => db.pids(),
  };
  const { rounds } = settings;
  console.log(
    `(c) file.list (${LIST_PATH}), authenticated: ${ctx.tool} -c${ctx.settings.connections} ` +
      `${ctx.settings.durationSec}s after ${ctx.warmupSec}s warm-up, ${rounds} round(s)` +
      (profiled.length ? `; PROFILING ${profiled.join(', ')}: those figures are not comparable` : ''),
  );
  const byId = new Map<string, Outcome[]>(targets.map((t) => [t.id, []]));
  // Rounds cycle through all servers so drift and neighbours' load hit each of them alike.
  for (let r = 1; r <= rounds; r++) {
    if (rounds > 1) console.log(`round ${r}/${rounds}`);
    for (const target of inRoundOrder(targets, r)) byId.get(target.id)?.push(await benchTarget(target, ctx));
  }
  const outcomes = targets
    .map((t) => medianOutcome(byId.get(t.id) ?? []))
    .filter((o): o is Outcome => o !== undefined);
  return { outcomes, byId, profiled };
}

async function main(): Promise<number> {
  const run: Run = { tmpDir: mkdtempSync(join(tmpdir(), 'docrpc-files-bench-')), servers: [] };
  const keep = Boolean(process.env.BENCH_KEEP_TMP);
  killAllOnExit(() => cleanup(run, keep));
  // Readable by the postgres OS user (when root), so the embedded cluster stays inside tmpDir and goes with it.
  chmodSync(run.tmpDir, 0o755);
  const settings: Settings = {
    fileMiB: envInt('BENCH_FILE_MB', 1024),
    rounds: envInt('BENCH_ROUNDS', 1),
    connections: envInt('BENCH_CONNECTIONS', 50),
    durationSec: envInt('BENCH_DURATION', 10),
    warmupSec: 2,
    seedFiles: 24,
    tool: detectTool(),
  };
  const machine = { info: machineInfo(), load: loadAverage1m() };
  console.log(
    `files benchmark: ${settings.fileMiB} MiB file, ${settings.rounds} round(s); machine ` +
      `${machine.info.cpus} x ${machine.info.cpuModel}, node ${machine.info.node}, ` +
      `load average ${machine.load}; temp dir ${run.tmpDir}`,
  );
  if (machine.load > 0.5) console.log('note: the machine is already busy; compare CPU per request / per GiB');
  try {
    process.stdout.write('starting embedded PostgreSQL ... ');
    const db = await startBenchDb(join(run.tmpDir, 'pg'));
    run.db = db;
    console.log('ready');
    const jwtSecret = randomBytes(32).toString('hex');
    // Every round adds a file row of the big file's size (the blob is shared), and seeds come on top.
    const quota = settings.fileMiB * MIB * settings.rounds + 64 * MIB;
    const docrpcEnv = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATA_DIR: join(run.tmpDir, 'docrpc-data'),
      DATABASE_URL: db.url,
      JWT_SECRET: jwtSecret,
      // The defaults (512 MiB per file, 1 GiB per user) are too small for the default 1 GiB file.
      MAX_UPLOAD_BYTES: String(settings.fileMiB * MIB + MIB),
      USER_QUOTA_BYTES: String(quota),
      AUTH_RATE_LIMIT: '1000',
    };

    const { outcome: transfer, token } = await transferPhase(run, docrpcEnv, settings);
    const list = await listPhase(run, db, settings, { docrpc: docrpcEnv, token, jwtSecret });
    const failed = report(run, settings, machine, transfer, list);
    for (const o of failed)
      console.log(`failed: ${o.name}${o.ok ? `: ${o.result.non2xx} non-2xx answers` : `: ${o.error}`}`);
    if (failed.length > 0) printLogTails(run.tmpDir);
    await cleanup(run, keep);
    return failed.length === 0 ? 0 : 1;
  } catch (err) {
    console.error(`\nfiles benchmark FAILED: ${err instanceof Error ? err.stack : String(err)}`);
    printLogTails(run.tmpDir);
    await cleanup(run, keep).catch((e: unknown) => console.error('cleanup failed:', e));
    return 1;
  }
}

runMain(main);
