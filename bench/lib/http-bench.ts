// Request-rate benchmark of several servers on one path: each in its own process, checked, warmed up, loaded,
// with its CPU (and the database's) per request; rounds rotate the order so no server always goes first.

import { runLoad } from './load.js';
import { cpuMs, cpuMsOf, medianBy } from './measure.js';
import { type Child, httpGet } from './processes.js';
import { type BenchContext, fixed, type Table } from './report.js';

export interface HttpTarget {
  id: string;
  name: string;
  start(): Promise<Child>;
  path: string;
  headers?: Record<string, string>;
  /** Throws unless the answer is the expected one; called before the load. */
  verify(reply: { status: number; body: string }): void;
}

export interface HttpOutcome {
  id: string;
  name: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  socketErrors: number;
  cpuUsPerReq: number | null;
  dbUsPerReq: number | null;
  error?: string;
}

async function once(t: HttpTarget, ctx: BenchContext, withDb: boolean): Promise<HttpOutcome> {
  const empty = {
    rps: 0,
    p50Ms: 0,
    p99Ms: 0,
    non2xx: 0,
    socketErrors: 0,
    cpuUsPerReq: null,
    dbUsPerReq: null,
  };
  let child: Child | undefined;
  try {
    child = await t.start();
    t.verify(await httpGet(child.port, t.path, t.headers));
    const req = {
      url: `http://127.0.0.1:${child.port}${t.path}`,
      headers: t.headers,
      scratchDir: ctx.tmpDir,
    };
    // JIT and pools settle during the warm-up; its figures are thrown away.
    await runLoad(req, { connections: ctx.load.connections, seconds: ctx.load.warmupSec });
    const cpu0 = cpuMs(child.pid);
    const db0 = withDb ? cpuMsOf(ctx.dbPids()) : 0;
    const r = await runLoad(req, ctx.load);
    const cpu1 = cpuMs(child.pid);
    const per = (ms: number): number => (ms * 1000) / Math.max(1, r.requests);
    const out: HttpOutcome = {
      id: t.id,
      name: t.name,
      ...r,
      cpuUsPerReq: cpu0 === null || cpu1 === null ? null : per(cpu1 - cpu0),
      dbUsPerReq: withDb ? per(cpuMsOf(ctx.dbPids()) - db0) : null,
    };
    console.log(`  ${t.name}: ${fixed(r.rps)} req/s, ${fixed(out.cpuUsPerReq)} µs CPU/req`);
    return out;
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    console.log(`  ${t.name}: FAILED: ${error}`);
    return { id: t.id, name: t.name, ...empty, error };
  } finally {
    await child?.stop();
  }
}

/** Per target, the round with the median req/s (a failed round wins, so failures are never hidden). */
export async function benchHttp(
  targets: HttpTarget[],
  ctx: BenchContext,
  options: { withDb?: boolean } = {},
): Promise<{ medians: HttpOutcome[]; rounds: Record<string, HttpOutcome[]> }> {
  const rounds: Record<string, HttpOutcome[]> = Object.fromEntries(targets.map((t) => [t.id, []]));
  for (let r = 0; r < ctx.rounds; r++) {
    if (ctx.rounds > 1) console.log(`  round ${r + 1}/${ctx.rounds}`);
    const shift = r % targets.length;
    for (const t of [...targets.slice(shift), ...targets.slice(0, shift)])
      rounds[t.id]?.push(await once(t, ctx, options.withDb ?? false));
  }
  const medians = targets.flatMap((t) => {
    const runs = rounds[t.id] ?? [];
    const m = runs.find((o) => o.error) ?? medianBy(runs, (o) => o.rps);
    return m ? [m] : [];
  });
  return { medians, rounds };
}

export function httpTable(title: string, outcomes: HttpOutcome[], withDb = false): Table {
  const head = ['server', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'CPU µs/req'];
  if (withDb) head.push('db µs/req');
  const rows = outcomes.map((o) => {
    if (o.error) return [o.name, 'FAILED', ...head.slice(2).map(() => '-')];
    const row = [
      o.name,
      fixed(o.rps),
      fixed(o.p50Ms, 2),
      fixed(o.p99Ms, 2),
      String(o.non2xx + o.socketErrors),
    ];
    row.push(fixed(o.cpuUsPerReq));
    if (withDb) row.push(fixed(o.dbUsPerReq));
    return row;
  });
  return { title, head, rows };
}

/** Failed targets and targets that answered with errors under load. */
export const httpFailures = (outcomes: HttpOutcome[]): string[] =>
  outcomes.flatMap((o) =>
    o.error
      ? [`${o.name}: ${o.error}`]
      : o.non2xx + o.socketErrors > 0
        ? [`${o.name}: ${o.non2xx} non-2xx, ${o.socketErrors} socket errors`]
        : [],
  );
