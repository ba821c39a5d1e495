// `tsx bench/experiments.ts [id...]`: Task-2 variants of bare tRPC vs the two baselines, measured in one run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchContext, benchTarget, type Outcome, type Target } from './lib/bench-target.js';
import { killAllOnExit } from './lib/child.js';
import { cpuRatio, envInt, fmtRatio, machineInfo, ratio, table } from './lib/report.js';
import { runMain } from './lib/run-main.js';
import { detectTool } from './load.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PATH = '/trpc/system.info';
const TSX = ['--import', 'tsx'];
const RAW = 'bench/servers/raw-node.ts';
const VARIANT = 'bench/servers/trpc-variant.ts';

function variant(id: string, name: string, extra: Partial<Target> = {}): Target {
  return { id, name, args: [...TSX, VARIANT], env: { BENCH_VARIANT: id }, readyPath: PATH, ...extra };
}

/** Extra node binaries to compare, e.g. BENCH_ALT_NODES=/opt/node24/bin/node,/opt/node26/bin/node. */
function altNodeTargets(): Target[] {
  const bins = (process.env.BENCH_ALT_NODES ?? '').split(',').filter(Boolean);
  return bins.flatMap((bin, i) => {
    const tag = `alt${i + 1}`;
    return [
      {
        id: `raw-node-${tag}`,
        name: `raw node @ ${bin}`,
        args: [...TSX, RAW],
        readyPath: PATH,
        nodeBin: bin,
      },
      variant('default', `bare tRPC @ ${bin}`, { id: `bare-${tag}`, nodeBin: bin }),
    ];
  });
}

function allTargets(): Target[] {
  return [
    { id: 'raw-node', name: 'raw node', args: [...TSX, RAW], readyPath: PATH },
    variant('default', 'bare tRPC (baseline)', { id: 'bare-trpc' }),
    variant('default', 'GET ?batch=1 (what httpBatchLink sends)', {
      id: 'batch-1',
      path: `${PATH}?batch=1&input=${encodeURIComponent('{"0":{"json":null}}')}`,
    }),
    variant('no-batching', 'allowBatching: false'),
    variant('response-meta', 'responseMeta (cache-control)'),
    variant('method-override', 'POST + allowMethodOverride', {
      env: { BENCH_VARIANT: 'method-override' },
      request: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '' },
    }),
    variant('no-transformer', 'no transformer (no superjson)'),
    variant('buffered', 'buffered adapter (text() + res.end)'),
    variant('caller', 'node:http + createCaller (no adapter)'),
    variant('no-abortsignal-any', 'delete AbortSignal.any (tRPC ponyfill)'),
    // A bigger young generation means fewer scavenges for this allocation-heavy request path.
    ...[32, 64].map((mb) =>
      variant('default', `bare tRPC --max-semi-space-size=${mb}`, {
        id: `semi-space-${mb}`,
        args: [`--max-semi-space-size=${mb}`, ...TSX, VARIANT],
      }),
    ),
    ...altNodeTargets(),
  ];
}

function med(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/**
 * Per variant: medians over rounds, and ratios paired within each round (variant vs that round's
 * bare tRPC), which cancels slow drift and neighbours' load better than ratios of overall medians.
 */
function summary(targets: Target[], all: Outcome[][]): string {
  const lines = ['median over rounds; ratios are paired per round, then the median (min..max) is shown'];
  lines.push(
    `${'variant'.padEnd(44)} ${'req/s'.padStart(7)} ${'cpu µs/req'.padStart(10)}  req/s vs bare         cpu efficiency vs bare`,
  );
  for (const t of targets) {
    const rps: number[] = [];
    const cpu: number[] = [];
    const rr: number[] = [];
    const cr: number[] = [];
    for (const round of all) {
      const o = round.find((x) => x.id === t.id);
      const base = round.find((x) => x.id === 'bare-trpc');
      if (!o?.ok) continue;
      rps.push(o.result.requestsPerSec);
      if (o.cpu.cpuUsPerRequest !== null) cpu.push(o.cpu.cpuUsPerRequest);
      const r = ratio(o, base);
      const c = cpuRatio(o, base);
      if (r !== null) rr.push(r);
      if (c !== null) cr.push(c);
    }
    const range = (xs: number[]): string =>
      xs.length ? `${fmtRatio(med(xs))} (${fmtRatio(Math.min(...xs))}..${fmtRatio(Math.max(...xs))})` : 'n/a';
    lines.push(
      `${t.name.padEnd(44)} ${(rps.length ? med(rps).toFixed(0) : 'FAILED').padStart(7)} ` +
        `${(cpu.length ? med(cpu).toFixed(0) : '-').padStart(10)}  ${range(rr).padEnd(21)} ${range(cr)}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  killAllOnExit();
  const wanted = process.argv.slice(2);
  const targets = allTargets().filter((t) => wanted.length === 0 || wanted.includes(t.id));
  const tmpDir = mkdtempSync(join(tmpdir(), 'docrpc-exp-'));
  const ctx: BenchContext = {
    root: ROOT,
    tmpDir,
    tool: detectTool(),
    settings: { connections: envInt('BENCH_CONNECTIONS', 50), durationSec: envInt('BENCH_DURATION', 10) },
    warmupSec: 2,
    path: PATH,
  };
  const rounds = envInt('BENCH_ROUNDS', 1);
  console.log(
    `experiments: tool=${ctx.tool}, ${JSON.stringify(ctx.settings)}, ${rounds} round(s), logs ${tmpDir}`,
  );
  const all: Outcome[][] = [];
  // Rounds go through the whole list each time so slow drift on the VM hits every variant alike.
  for (let r = 0; r < rounds; r++) {
    const outcomes: Outcome[] = [];
    for (const t of targets) {
      outcomes.push(await benchTarget({ ...t, env: { NODE_ENV: 'production', ...t.env } }, ctx));
    }
    all.push(outcomes);
    const base = outcomes.find((o) => o.id === 'bare-trpc');
    const raw = outcomes.find((o) => o.id === 'raw-node');
    console.log(`\nround ${r + 1}\n${table(outcomes)}\n`);
    for (const o of outcomes) {
      console.log(
        `  ${o.name.padEnd(42)} req/s vs bare tRPC ${fmtRatio(ratio(o, base))}, vs raw node ${fmtRatio(ratio(o, raw))}; ` +
          `cpu/req efficiency vs bare tRPC ${fmtRatio(cpuRatio(o, base))}`,
      );
    }
  }
  console.log(`\n${summary(targets, all)}`);
  const resultsDir = join(ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date()
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const file = join(resultsDir, `experiments-${stamp}.json`);
  const rows = all.map((outcomes) =>
    outcomes.map((o) =>
      o.ok ? { id: o.id, name: o.name, ...o.result, ...o.cpu } : { id: o.id, name: o.name, error: o.error },
    ),
  );
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), machine: machineInfo(), tool: ctx.tool, settings: ctx.settings, rounds: rows }, null, 2)}\n`,
  );
  console.log(`results: ${file}`);
  const failed = all.flat().filter((o) => !o.ok).length;
  if (failed === 0) rmSync(tmpDir, { recursive: true, force: true });
  return failed === 0 ? 0 : 1;
}

runMain(main);
