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
}

export interface BenchContext {
  root: string;
  tmpDir: string;
  tool: LoadTool;
  settings: LoadSettings;
  warmupSec: number;
  path: string;
}

/** Server-side CPU figures for the measured interval (null where /proc is unavailable). */
export interface ServerCpu {
  cpuMs: number | null;
  /** CPU time per answered request: robust against other processes stealing wall-clock time. */
  cpuUsPerRequest: number | null;
  /** Share of one core the server used; well below 100% means it was starved or waiting. */
  cpuPercent: number | null;
  loadAvg1mBefore: number;
}

export type Outcome =
  | { name: string; id: string; ok: true; result: LoadResult; cpu: ServerCpu; logFile: string }
  | { name: string; id: string; ok: false; error: string; logFile: string };

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
    await verifyAnswer(port, ctx.path);
    const req: LoadRequest = {
      url: `http://127.0.0.1:${port}${ctx.path}`,
      scratchDir: ctx.tmpDir,
      ...target.request,
    };
    process.stdout.write(`  ${target.name}: warm-up ${ctx.warmupSec}s, `);
    // JIT and socket pools settle during warm-up; its numbers are thrown away.
    await runLoad(ctx.tool, req, { ...ctx.settings, durationSec: ctx.warmupSec });
    process.stdout.write(`measure ${ctx.settings.durationSec}s ... `);
    const loadAvg1mBefore = loadAverage1m();
    const cpuBefore = processCpuMs(server.child.pid);
    const result = await runLoad(ctx.tool, req, ctx.settings);
    const cpuAfter = processCpuMs(server.child.pid);
    const cpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
    const cpu: ServerCpu = {
      cpuMs,
      cpuUsPerRequest:
        cpuMs === null || result.totalRequests === 0 ? null : (cpuMs * 1000) / result.totalRequests,
      cpuPercent: cpuMs === null ? null : (100 * cpuMs) / (ctx.settings.durationSec * 1000),
      loadAvg1mBefore,
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
