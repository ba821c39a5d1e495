// Reads a V8 .cpuprofile and ranks functions and packages by self and inclusive CPU time.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Entry {
  key: string;
  us: number;
}

export interface Summary {
  totalUs: number;
  idleUs: number;
  busyUs: number;
  selfByFunction: Entry[];
  inclusiveByFunction: Entry[];
  selfByGroup: Entry[];
  inclusiveByGroup: Entry[];
  /** Inclusive time by bare function name (any file), for the focus list. */
  inclusiveByName: Map<string, number>;
}

/** The per-request steps of tRPC's node adapter worth seeing side by side (inclusive time). */
export const TRPC_FOCUS = [
  'incomingMessageToRequest',
  'createURL',
  'createHeaders',
  '_Request',
  'resolveResponse',
  'getRequestInfo',
  'abortSignalsAnyPonyfill',
  'procedure',
  'transformTRPCResponse',
  'serialize',
  '_Response',
  'writeResponse',
  'writeResponseBody',
  'pipeTo',
  '_objectSpread2',
  '(garbage collector)',
  'writev',
];

export function isCpuProfile(v: unknown): v is CpuProfile {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return Array.isArray(p.nodes) && Array.isArray(p.samples) && Array.isArray(p.timeDeltas);
}

const SPREAD_HELPERS = new Set([
  '_objectSpread2',
  'ownKeys',
  '_defineProperty',
  'toPropertyKey',
  'toPrimitive',
]);

/** Where a frame's code lives, coarse enough to answer "tRPC, undici, streams, http or GC?". */
export function groupOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName.startsWith('(')) return functionName; // (program), (idle), (root)
    return 'native (V8 builtins / C++)';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (pkg?.[1]) {
    const [, name, rest = ''] = pkg;
    if (name === '@trpc/server') {
      // The bundler parks its object-spread helpers in the getErrorShape chunk; name them for what they are.
      if (SPREAD_HELPERS.has(functionName)) return '@trpc/server object-spread helpers';
      // Bundled chunk names carry a hash ("node-http-CyL_jN-0.mjs"); the stem says which part of tRPC it is.
      const stem =
        rest
          .split('/')
          .pop()
          ?.replace(/(-[A-Za-z0-9_]{8})?\.m?c?js$/, '') ?? rest;
      return `@trpc/server ${stem}`;
    }
    return name;
  }
  if (url.startsWith('node:internal/deps/undici')) return 'node undici (Request/Headers/Response)';
  if (url.startsWith('node:internal/webstreams')) return 'node webstreams (ReadableStream/WritableStream)';
  if (url.startsWith('node:internal/abort_controller')) return 'node AbortController/AbortSignal';
  if (url.startsWith('node:internal/url')) return 'node URL';
  if (/^node:(_http_|http|internal\/http)/.test(url)) return 'node http';
  if (/^node:(net|internal\/stream_base|internal\/streams|stream)/.test(url)) return 'node net/streams';
  if (url.startsWith('node:internal/process/task_queues') || url.startsWith('node:internal/timers'))
    return 'node task queues/timers';
  if (url.startsWith('node:')) return `node ${url.slice(5).replace(/^internal\//, '')}`;
  if (url.includes('/bench/')) return 'bench code';
  if (url.includes('/src/')) return 'docrpc src';
  return url;
}

function label(frame: CallFrame): string {
  const file = frame.url
    ? frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(bench|src)\//, '$1/')
    : '';
  const name = frame.functionName || '(anonymous)';
  return file ? `${name}  ${file}:${frame.lineNumber + 1}` : name;
}

function ranked(map: Map<string, number>): Entry[] {
  return [...map].map(([key, us]) => ({ key, us })).sort((a, b) => b.us - a.us);
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

export function summarize(profile: CpuProfile): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfFn = new Map<string, number>();
  const inclFn = new Map<string, number>();
  const selfGroup = new Map<string, number>();
  const inclGroup = new Map<string, number>();
  const inclName = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  const { samples, timeDeltas } = profile;
  const meanDelta = (profile.endTime - profile.startTime) / Math.max(samples.length, 1);

  samples.forEach((leafId, i) => {
    // Sample i lasts until the next sample's timestamp (DevTools' convention).
    const us = timeDeltas[i + 1] ?? meanDelta;
    const leaf = byId.get(leafId);
    if (!leaf) return;
    totalUs += us;
    if (leaf.callFrame.functionName === '(idle)') {
      idleUs += us;
      return;
    }
    add(selfFn, label(leaf.callFrame), us);
    add(selfGroup, groupOf(leaf.callFrame), us);
    // Inclusive: count each function/group once per sample even if it recurses.
    const seenFn = new Set<string>();
    const seenGroup = new Set<string>();
    const seenName = new Set<string>();
    for (let id: number | undefined = leafId; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (!node || node.callFrame.functionName === '(root)') continue;
      seenFn.add(label(node.callFrame));
      seenGroup.add(groupOf(node.callFrame));
      seenName.add(node.callFrame.functionName);
    }
    for (const k of seenName) add(inclName, k, us);
    for (const k of seenFn) add(inclFn, k, us);
    for (const k of seenGroup) add(inclGroup, k, us);
  });

  return {
    totalUs,
    idleUs,
    busyUs: totalUs - idleUs,
    selfByFunction: ranked(selfFn),
    inclusiveByFunction: ranked(inclFn),
    selfByGroup: ranked(selfGroup),
    inclusiveByGroup: ranked(inclGroup),
    inclusiveByName: inclName,
  };
}

export function formatSummary(s: Summary, top = 25, focus: readonly string[] = TRPC_FOCUS): string {
  const pct = (us: number): string => `${((100 * us) / s.busyUs).toFixed(1).padStart(5)}%`;
  const ms = (us: number): string => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const block = (title: string, entries: Entry[], n: number): string =>
    [`${title}`, ...entries.slice(0, n).map((e) => `  ${pct(e.us)} ${ms(e.us)}  ${e.key}`)].join('\n');
  return [
    `sampled ${(s.totalUs / 1e6).toFixed(2)} s, idle ${(s.idleUs / 1e6).toFixed(2)} s; ` +
      'percentages are of busy (non-idle) time',
    block(`Top ${top} functions by self time`, s.selfByFunction, top),
    block('Self time by package / file', s.selfByGroup, 20),
    block(
      'Inclusive time by package / file (a sample counts once per group on its stack)',
      s.inclusiveByGroup,
      20,
    ),
    block(`Top ${top} functions by inclusive time`, s.inclusiveByFunction, top),
    block(
      'Focus: inclusive time of named functions (all files; nested calls overlap)',
      focus.map((key) => ({ key, us: s.inclusiveByName.get(key) ?? 0 })),
      focus.length,
    ),
  ].join('\n\n');
}

/** A directory means "the newest .cpuprofile in it", which is what --cpu-prof-dir leaves behind. */
export function resolveProfile(path: string): string {
  if (!statSync(path).isDirectory()) return path;
  const newest = readdirSync(path)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(path, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!newest) throw new Error(`no .cpuprofile in ${path}`);
  return newest;
}

export function summarizeFile(path: string, top = 25): string {
  const file = resolveProfile(path);
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isCpuProfile(parsed)) throw new Error(`${file} is not a V8 .cpuprofile`);
  return `${file}\n${formatSummary(summarize(parsed), top)}`;
}
