// Text tables of the tasks benchmark: throughput vs bare pg-boss, NOTIFY → WS latency, and the 2,000-subscription fan-out.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmtRatio, formatTable } from '../lib/report.js';
import type { FanoutResult } from './fanout.js';
import type { LatencyResult } from './latency.js';
import type { Settings } from './settings.js';
import { type Dist, ms } from './stats.js';
import type { ThroughputPhase } from './throughput-phase.js';

const TARGET_TASKS_PER_SEC = 500;
const TARGET_P99_MS = 25;

export interface ThroughputRow {
  name: string;
  perSec: number;
  ms: number;
  /** Create (docrpc) or send (pg-boss) phase. */
  enqueueMs: number;
  procCpuMs: number | null;
  dbCpuMs: number | null;
  /** Tasks (jobs) that completed in the measurement, of `of` enqueued. */
  count: number;
  of: number;
}

const us = (cpuMs: number | null, count: number): string =>
  cpuMs === null ? '-' : ((cpuMs * 1000) / count).toFixed(0);

export function throughputTable(rows: ThroughputRow[]): string {
  return formatTable(
    ['', 'done', 'per s', 'total ms', 'enqueue ms', 'process µs/task', 'db µs/task', 'sum µs/task'],
    rows.map((r) => [
      r.name,
      r.count === r.of ? String(r.of) : `${r.count}/${r.of}`,
      r.perSec.toFixed(0),
      r.ms.toFixed(0),
      r.enqueueMs.toFixed(0),
      us(r.procCpuMs, r.count),
      us(r.dbCpuMs, r.count),
      r.procCpuMs === null || r.dbCpuMs === null ? '-' : us(r.procCpuMs + r.dbCpuMs, r.count),
    ]),
  );
}

const distRow = (name: string, d: Dist): string[] => [
  name,
  String(d.n),
  ms(d.p50),
  ms(d.p90),
  ms(d.p99),
  ms(d.max),
];

export function latencyTable(r: LatencyResult): string {
  return formatTable(
    ['interval', 'events', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
    [
      distRow('pg_notify sent → our LISTEN (raw Postgres)', r.rawNotify),
      distRow('NOTIFY at our LISTEN → onData in WS client', r.docrpc),
      distRow('progress() (row updated_at) → onData in WS client', r.fromProgress),
    ],
  );
}

export function fanoutTable(results: FanoutResult[]): string {
  const rows = results.flatMap((r) => {
    const label = `${r.sockets} socket${r.sockets === 1 ? '' : 's'} x ${Math.round(r.subscriptions / r.sockets)}`;
    return [
      distRow(`${label}: last subscriber per seq`, r.lastSubscriber),
      distRow(`${label}: median subscriber per seq`, r.medianSubscriber),
      distRow(`${label}: every delivery`, r.perDelivery),
    ];
  });
  return formatTable(['NOTIFY → event at subscriber', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'], rows);
}

export function fanoutCostTable(results: FanoutResult[]): string {
  return formatTable(
    [
      'sockets',
      'subs',
      'open s',
      'RSS before MiB',
      'after open',
      'KiB/sub',
      'after drive',
      'skipped',
      'API µs/delivery',
      'db commits/seq',
      'subscriber cpu s',
    ],
    results.map((r) => [
      String(r.sockets),
      String(r.subscriptions),
      (r.openMs / 1000).toFixed(1),
      r.rss.beforeMiB.toFixed(1),
      r.rss.afterOpenMiB.toFixed(1),
      (r.rss.bytesPerSubscription / 1024).toFixed(1),
      r.rss.afterDriveMiB.toFixed(1),
      String(r.skipped),
      r.drive.serverCpuUsPerDelivery === null ? '-' : r.drive.serverCpuUsPerDelivery.toFixed(0),
      r.drive.dbCommitsPerSeq.toFixed(0),
      r.drive.subscriberCpuMs === null ? '-' : (r.drive.subscriberCpuMs / 1000).toFixed(1),
    ]),
  );
}

/** The temp dir (with the logs) is removed at the end, so a failed run prints their ends first. */
export function printLogTails(dir: string): void {
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.log'))) {
    const lines = readFileSync(join(dir, name), 'utf8').trimEnd().split('\n').slice(-15);
    console.log(`--- last lines of ${name}\n${lines.join('\n')}`);
  }
}

export function printResults(r: {
  s: Settings;
  a: ThroughputPhase | null;
  b: LatencyResult | null;
  c: FanoutResult[];
}): void {
  const { s, b, c } = r;
  const { a } = r;
  if (a) {
    console.log(
      `\n(a) throughput, ${s.tasks} trivial tasks, ${s.concurrency} concurrent callers, capped at ${s.capSec} s`,
    );
    console.log(throughputTable(a.rows));
    const rate = a.rows[1]?.perSec ?? 0;
    console.log(
      `docrpc / bare pg-boss = ${fmtRatio(a.ratio)} by rate, ${fmtRatio(a.cpuRatio)} by CPU per task ` +
        `(process + db); target >= ${TARGET_TASKS_PER_SEC} tasks/s: ${rate >= TARGET_TASKS_PER_SEC ? 'met' : 'BELOW'}`,
    );
  }
  if (b) {
    console.log(`\n(b) latency over ${b.events} progress events (${b.skipped} coalesced, not delivered)`);
    console.log(latencyTable(b));
    const p99 = b.fromProgress.p99 ?? Number.POSITIVE_INFINITY;
    console.log(
      `NOTIFY → client p50 / raw NOTIFY p50 = ${fmtRatio((b.docrpc.p50 ?? 0) / (b.rawNotify.p50 || 1))}; ` +
        `progress() → client p99 ${ms(b.fromProgress.p99)} ms: target < ${TARGET_P99_MS} ms ` +
        `${p99 < TARGET_P99_MS ? 'met' : 'NOT met'}`,
    );
  }
  if (c.length > 0) {
    console.log(`\n(c) ${s.subscriptions} subscriptions on one API process (worker in its own process)`);
    console.log(fanoutCostTable(c));
    console.log(fanoutTable(c));
  }
}
