// Benchmarks one server end to end: spawn, wait ready, verify the answer, warm up, measure, stop.
import { join } from 'node:path';
import { type LoadRequest, type LoadResult, type LoadSettings, type LoadTool, runLoad } from '../load.js';
import { freePort, startServer, stopServer, verifyAnswer, waitReady } from './child.js';
import { loadAverage1m, processCpuMs } from './cpu-usage.js';

export interface Target {
  /** Label in tables, e.g. "bare tRPC". */
  name: string;
  /** File-name-safe id, used for the log file. */
  id: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  readyPath: string;
  readyTimeoutMs?: number;
  nodeBin?: string;
  /** Request path when it differs from the context's (e.g. a `?batch=1` call). */
  path?: string;
  /** Load a different request than the plain GET (e.g. POST with method override). */
  request?: Omit<LoadRequest, 'url' | 'scratchDir'>;
  /** Checks the server's answer before loading it; defaults to verifyAnswer (system.info's payload). */
  verify?: (port: number, path: string) => Promise<void>;
}

export interface BenchContext {
  root: string;
  tmpDir: string;
  tool: LoadTool;
  settings: LoadSettings;
  warmupSec: number;
  path: string;
  /** Other processes whose CPU the measured interval should also count, e.g. the database's backends. */
  dbPids?: () => number[];
}

/** Server-side CPU figures for the measured interval (null where /proc is unavailable). */
export interface ServerCpu {
  cpuMs: number | null;
  /** CPU time per answered request: robust against other processes stealing wall-clock time. */
  cpuUsPerRequest: number | null;
  /** Share of one core the server used; well below 100% means it was starved or waiting. */
  cpuPercent: number | null;
  loadAvg1mBefore: number;
  /** CPU of ctx.dbPids over the same interval, when the context names them. */
  dbCpuMs?: number | null;
  dbCpuUsPerRequest?: number | null;
}

export type Outcome =
  | { name: string; id: string; ok: true; result: LoadResult; cpu: ServerCpu; logFile: string }
  | { name: string; id: string; ok: false; error: string; logFile: string };

/** Summed CPU ms of several processes (those that vanished in between count as 0). */
function sumCpuMs(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0);
}

export async function benchTarget(target: Target, ctx: BenchContext): Promise<Outcome> {
  const logFile = join(ctx.tmpDir, `${target.id}.log`);
  const port = await freePort();
  const server = startServer({
    name: target.name,
    args: target.args,
    cwd: ctx.root,
    env: { ...process.env, ...target.env },
    port,
    logFile,
    readyPath: target.readyPath,
    readyTimeoutMs: target.readyTimeoutMs ?? 20_000,
    ...(target.nodeBin ? { nodeBin: target.nodeBin } : {}),
  });
  const base = { name: target.name, id: target.id, logFile };
  try {
    await waitReady(server);
    const path = target.path ?? ctx.path;
    await (target.verify ?? verifyAnswer)(port, path);
    const req: LoadRequest = {
      url: `http://127.0.0.1:${port}${path}`,
      scratchDir: ctx.tmpDir,
      ...target.request,
    };
    process.stdout.write(`  ${target.name}: warm-up ${ctx.warmupSec}s, `);
    // JIT and socket pools settle during warm-up; its numbers are thrown away.
    await runLoad(ctx.tool, req, { ...ctx.settings, durationSec: ctx.warmupSec });
    process.stdout.write(`measure ${ctx.settings.durationSec}s ... `);
    const loadAvg1mBefore = loadAverage1m();
    const cpuBefore = processCpuMs(server.child.pid);
    const dbBefore = ctx.dbPids ? sumCpuMs(ctx.dbPids()) : null;
    const result = await runLoad(ctx.tool, req, ctx.settings);
    const cpuAfter = processCpuMs(server.child.pid);
    const dbAfter = ctx.dbPids ? sumCpuMs(ctx.dbPids()) : null;
    const cpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
    const dbCpuMs = dbBefore === null || dbAfter === null ? null : dbAfter - dbBefore;
    const perRequest = (ms: number | null): number | null =>
      ms === null || result.totalRequests === 0 ? null : (ms * 1000) / result.totalRequests;
    const cpu: ServerCpu = {
      cpuMs,
      cpuUsPerRequest: perRequest(cpuMs),
      cpuPercent: cpuMs === null ? null : (100 * cpuMs) / (ctx.settings.durationSec * 1000),
      loadAvg1mBefore,
      ...(ctx.dbPids ? { dbCpuMs, dbCpuUsPerRequest: perRequest(dbCpuMs) } : {}),
    };
    const errs = result.socketErrors > 0 ? ` (${result.socketErrorDetail})` : '';
    console.log(`${Math.round(result.requestsPerSec)} req/s${errs}`);
    return { ...base, ok: true, result, cpu };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    console.log(`  ${target.name}: FAILED: ${error} (log: ${logFile})`);
    return { ...base, ok: false, error };
  } finally {
    await stopServer(server);
  }
}

/**
 * The targets in the order of round `round` (1-based): rotated by one each round, so that no server
 * always runs first (just after start-up work or a heavy earlier phase) or always last.
 */
export function inRoundOrder<T>(targets: readonly T[], round: number): T[] {
  const shift = (round - 1) % Math.max(targets.length, 1);
  return [...targets.slice(shift), ...targets.slice(0, shift)];
}
