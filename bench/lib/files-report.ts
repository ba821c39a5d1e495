// Tables, ratios and the file.list gap breakdown printed (and stored) by bench/files.bench.ts.
import type { Outcome } from './bench-target.js';
import type { TransferFigures } from './files-transfer.js';
import { cpuRatio, fmtRatio, formatTable, ratio, totalCpuUsPerRequest } from './report.js';

export const TARGETS = { upload: 0.7, download: 0.7, list: 0.8, rssGrowthMiB: 64 };

const MIB = 2 ** 20;
const mib = (b: number | null): string => (b === null ? '-' : (b / MIB).toFixed(1));
const verdict = (ok: boolean): string => (ok ? 'meets target' : 'BELOW target');

export function transferTable(figures: TransferFigures[]): string {
  const head = [
    'transfer',
    'MiB/s',
    'seconds',
    'cpu ms',
    'cpu ms/GiB',
    'RSS idle MiB',
    'RSS peak MiB',
    'growth MiB',
  ];
  const rows = figures.map((f) => [
    `${f.direction} ${f.server}`,
    f.mibPerSec.toFixed(0),
    f.seconds.toFixed(2),
    f.serverCpuMs?.toFixed(0) ?? '-',
    f.serverCpuMsPerGiB?.toFixed(0) ?? '-',
    mib(f.rssIdleBytes),
    mib(f.rssPeakBytes),
    mib(f.rssGrowthBytes),
  ]);
  return formatTable(head, rows);
}

/** Per server and direction, the round with the median MiB/s (all its figures from that same round). */
export function medianTransfers(all: TransferFigures[]): TransferFigures[] {
  const groups = new Map<string, TransferFigures[]>();
  for (const f of all) {
    const key = `${f.direction} ${f.server}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()].flatMap((runs) => {
    const sorted = [...runs].sort((a, b) => a.mibPerSec - b.mibPerSec);
    const mid = sorted[Math.floor((sorted.length - 1) / 2)];
    return mid ? [mid] : [];
  });
}

export interface TransferRatios {
  upload: number | null;
  uploadCpu: number | null;
  /** docrpc against raw node storing through docrpc's own blob store: what the app around it costs. */
  uploadVsBlobStore: number | null;
  uploadCpuVsBlobStore: number | null;
  download: number | null;
  downloadCpu: number | null;
  /** The largest growth over all rounds (the first upload usually: RSS rarely shrinks back afterwards). */
  docrpcUploadRssGrowthMiB: number | null;
}

export function transferRatios(
  all: TransferFigures[],
  docrpc: string,
  raw: string,
  rawBlob: string,
): TransferRatios {
  const medians = medianTransfers(all);
  const get = (server: string, dir: TransferFigures['direction']) =>
    medians.find((f) => f.server === server && f.direction === dir);
  const speed = (dir: TransferFigures['direction'], base = raw): number | null => {
    const a = get(docrpc, dir);
    const b = get(base, dir);
    return a && b ? a.mibPerSec / b.mibPerSec : null;
  };
  // Efficiency: the baseline's CPU per GiB over docrpc's (1.0 = docrpc spends as little CPU as it).
  const cpu = (dir: TransferFigures['direction'], base = raw): number | null => {
    const a = get(docrpc, dir)?.serverCpuMsPerGiB;
    const b = get(base, dir)?.serverCpuMsPerGiB;
    return a && b ? b / a : null;
  };
  const growths = all
    .filter((f) => f.server === docrpc && f.direction === 'upload' && f.rssGrowthBytes !== null)
    .map((f) => f.rssGrowthBytes ?? 0);
  return {
    upload: speed('upload'),
    uploadCpu: cpu('upload'),
    uploadVsBlobStore: speed('upload', rawBlob),
    uploadCpuVsBlobStore: cpu('upload', rawBlob),
    download: speed('download'),
    downloadCpu: cpu('download'),
    docrpcUploadRssGrowthMiB: growths.length ? Math.max(...growths) / MIB : null,
  };
}

export function transferSummary(r: TransferRatios): string {
  const line = (label: string, v: number | null, target: number, cpu: number | null): string =>
    `${label} docrpc / raw = ${fmtRatio(v)} MiB/s  target >= ${target}` +
    `${v === null ? '' : ` (${verdict(v >= target)})`}; by server CPU per GiB ${fmtRatio(cpu)}`;
  const g = r.docrpcUploadRssGrowthMiB;
  return [
    line('upload:  ', r.upload, TARGETS.upload, r.uploadCpu),
    `          docrpc / raw + its blob store = ${fmtRatio(r.uploadVsBlobStore)} MiB/s; ` +
      `by server CPU per GiB ${fmtRatio(r.uploadCpuVsBlobStore)}`,
    line('download:', r.download, TARGETS.download, r.downloadCpu),
    `docrpc RSS growth during the upload (largest of all rounds) = ${g === null ? 'n/a' : `${g.toFixed(1)} MiB`}  ` +
      `target < ${TARGETS.rssGrowthMiB} MiB${g === null ? '' : ` (${verdict(g < TARGETS.rssGrowthMiB)})`}`,
  ].join('\n');
}

export interface GapStep {
  step: string;
  serverUs: number | null;
  dbUs: number | null;
  totalUs: number | null;
}

function diff(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === null || a === undefined || b === null || b === undefined ? null : a - b;
}

/**
 * Where docrpc's extra CPU per request goes. docrpc checks the session from its per-process cache, so
 * the session-query variants are asides: what a query per request would cost, prepared or not.
 */
export function listGap(find: (id: string) => Outcome | undefined): GapStep[] {
  const pairs: [string, string, string][] = [
    ['docrpc vs bare tRPC (HTTP layer, middleware, zod, access log)', 'docrpc', 'bare-list'],
    ['(aside) a prepared session query per request: what the cache saves', 'bare-session', 'bare-list'],
    ['(aside) both queries unprepared, what drizzle sends by default', 'bare-unprepared', 'bare-session'],
  ];
  return pairs.map(([step, a, b]) => {
    const x = find(a);
    const y = find(b);
    const cpu = (o: Outcome | undefined) => (o?.ok ? o.cpu : undefined);
    return {
      step,
      serverUs: diff(cpu(x)?.cpuUsPerRequest, cpu(y)?.cpuUsPerRequest),
      dbUs: diff(cpu(x)?.dbCpuUsPerRequest, cpu(y)?.dbCpuUsPerRequest),
      totalUs: diff(totalCpuUsPerRequest(x), totalCpuUsPerRequest(y)),
    };
  });
}

export function gapTable(steps: GapStep[]): string {
  const n = (v: number | null): string => (v === null ? '-' : `${v >= 0 ? '+' : ''}${v.toFixed(0)}`);
  return formatTable(
    ['extra CPU per request', 'node µs', 'postgres µs', 'total µs'],
    steps.map((s) => [s.step, n(s.serverUs), n(s.dbUs), n(s.totalUs)]),
  );
}

export interface ListRatios {
  docrpcOverBare: number | null;
  cpuDocrpcVsBare: number | null;
  totalCpuDocrpcVsBare: number | null;
  sessionOverBare: number | null;
  docrpcOverSession: number | null;
  unpreparedOverSession: number | null;
}

export function listRatios(find: (id: string) => Outcome | undefined): ListRatios {
  const d = totalCpuUsPerRequest(find('docrpc'));
  const b = totalCpuUsPerRequest(find('bare-list'));
  return {
    docrpcOverBare: ratio(find('docrpc'), find('bare-list')),
    cpuDocrpcVsBare: cpuRatio(find('docrpc'), find('bare-list')),
    totalCpuDocrpcVsBare: d && b ? b / d : null,
    sessionOverBare: ratio(find('bare-session'), find('bare-list')),
    docrpcOverSession: ratio(find('docrpc'), find('bare-session')),
    unpreparedOverSession: ratio(find('bare-unprepared'), find('bare-session')),
  };
}

export function listSummary(r: ListRatios): string {
  const v = r.docrpcOverBare;
  return [
    `docrpc / bare tRPC = ${fmtRatio(v)} req/s  target >= ${TARGETS.list}` +
      `${v === null ? '' : ` (${verdict(v >= TARGETS.list)})`}`,
    `  by CPU per request (robust on this shared box): node only ${fmtRatio(r.cpuDocrpcVsBare)}, ` +
      `node + postgres ${fmtRatio(r.totalCpuDocrpcVsBare)}`,
    `req/s asides: bare + session query / bare ${fmtRatio(r.sessionOverBare)} (a query per request ` +
      `instead of docrpc's session cache), unprepared / prepared ${fmtRatio(r.unpreparedOverSession)}`,
  ].join('\n');
}
