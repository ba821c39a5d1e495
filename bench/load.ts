// Drives HTTP load at a loopback URL with wrk (preferred) or autocannon, and returns comparable figures.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';

export type LoadTool = 'wrk' | 'autocannon';

export interface LoadSettings {
  connections: number;
  durationSec: number;
}

export interface LoadRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Where wrk's Lua script goes when the request isn't a plain GET. */
  scratchDir: string;
}

export interface LoadResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** wrk counts status >= 400 here ("Non-2xx or 3xx"); autocannon counts anything not 2xx. */
  non2xx: number;
  socketErrors: number;
  /** wrk's breakdown ("connect 0, read 0, write 0, timeout 0"); autocannon gives errors/timeouts only. */
  socketErrorDetail: string;
  totalRequests: number;
  command: string;
}

/** wrk is a C load generator; autocannon (JS) saturates its own core long before a raw node server does. */
export function detectTool(): LoadTool {
  const forced = process.env.BENCH_TOOL;
  if (forced === 'wrk' || forced === 'autocannon') return forced;
  const probe = spawnSync('wrk', ['--version'], { stdio: 'ignore' });
  return probe.error ? 'autocannon' : 'wrk';
}

export function runLoad(tool: LoadTool, req: LoadRequest, settings: LoadSettings): Promise<LoadResult> {
  return tool === 'wrk' ? runWrk(req, settings) : runAutocannon(req, settings);
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses "635.00us" / "1.23ms" / "2.00s" (wrk's --latency units) into milliseconds. */
export function parseWrkDuration(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  const unit = m?.[2];
  if (!m?.[1] || !unit) throw new Error(`cannot parse wrk duration "${text}"`);
  return Number(m[1]) * (UNIT_MS[unit] ?? Number.NaN);
}

export function parseWrkOutput(out: string, command: string): LoadResult {
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(out);
    if (!m?.[1]) throw new Error(`wrk output has no ${p}% latency line:\n${out}`);
    return parseWrkDuration(m[1]);
  };
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out)?.[1];
  const total = /^\s*(\d+) requests in/m.exec(out)?.[1];
  if (!rps || !total) throw new Error(`unexpected wrk output:\n${out}`);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? '0');
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = sock ? sock.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  const socketErrorDetail = sock ? sock[0] : 'none';
  return {
    requestsPerSec: Number(rps),
    p50Ms: pct('50'),
    p99Ms: pct('99'),
    non2xx,
    socketErrors,
    socketErrorDetail,
    totalRequests: Number(total),
    command,
  };
}

function wrkScript(req: LoadRequest): string | undefined {
  if ((req.method ?? 'GET') === 'GET' && !req.headers && req.body === undefined) return undefined;
  const lines = [`wrk.method = ${JSON.stringify(req.method ?? 'GET')}`];
  for (const [k, v] of Object.entries(req.headers ?? {}))
    lines.push(`wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
  if (req.body !== undefined) lines.push(`wrk.body = ${JSON.stringify(req.body)}`);
  const file = join(req.scratchDir, 'wrk-request.lua');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function runWrk(req: LoadRequest, s: LoadSettings): Promise<LoadResult> {
  // One wrk thread: on a 2-core box the server gets the other core.
  const args = ['-t1', `-c${s.connections}`, `-d${s.durationSec}s`, '--latency'];
  const script = wrkScript(req);
  if (script) args.push('-s', script);
  args.push(req.url);
  const command = `wrk ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`${command} exited ${code}: ${err || out}`));
      try {
        resolve(parseWrkOutput(out, command));
      } catch (e) {
        reject(e);
      }
    });
  });
}

async function runAutocannon(req: LoadRequest, s: LoadSettings): Promise<LoadResult> {
  const result = await autocannon({
    url: req.url,
    connections: s.connections,
    duration: s.durationSec,
    method: req.method ?? 'GET',
    ...(req.headers ? { headers: req.headers } : {}),
    ...(req.body !== undefined ? { body: req.body } : {}),
  });
  return {
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    socketErrors: result.errors + result.timeouts,
    socketErrorDetail: `errors ${result.errors}, timeouts ${result.timeouts}`,
    totalRequests: result.requests.total,
    command: `autocannon -c ${s.connections} -d ${s.durationSec} ${req.method ?? 'GET'} ${req.url} (programmatic)`,
  };
}
