// HTTP load at a loopback URL: wrk when it is on PATH (C, one thread), else autocannon, which is JavaScript
// and saturates its own core below what raw node serves (raw-node figures from it are a floor).
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';

export interface LoadRequest {
  url: string;
  headers?: Record<string, string>;
  /** Where wrk's Lua script goes when there are headers. */
  scratchDir: string;
}

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** wrk counts status >= 400; autocannon anything not 2xx. */
  non2xx: number;
  socketErrors: number;
  requests: number;
}

export const loadTool = (): 'wrk' | 'autocannon' => {
  const forced = process.env.BENCH_TOOL;
  if (forced === 'wrk' || forced === 'autocannon') return forced;
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error ? 'autocannon' : 'wrk';
};

export function runLoad(req: LoadRequest, s: { connections: number; seconds: number }): Promise<LoadResult> {
  return loadTool() === 'wrk' ? runWrk(req, s) : runAutocannon(req, s);
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function parseWrk(out: string): LoadResult {
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    if (!m?.[1] || !m[2]) throw new Error(`wrk output has no ${p}% line:\n${out}`);
    return Number(m[1]) * (UNIT_MS[m[2]] ?? Number.NaN);
  };
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out)?.[1];
  const total = /^\s*(\d+) requests in/m.exec(out)?.[1];
  if (!rps || !total) throw new Error(`unexpected wrk output:\n${out}`);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(rps),
    p50Ms: pct('50'),
    p99Ms: pct('99'),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? '0'),
    socketErrors: sock ? sock.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    requests: Number(total),
  };
}

function runWrk(req: LoadRequest, s: { connections: number; seconds: number }): Promise<LoadResult> {
  // One thread: on a 2-core box the server gets the other core.
  const args = ['-t1', `-c${s.connections}`, `-d${s.seconds}s`, '--latency'];
  if (req.headers) {
    const script = join(req.scratchDir, 'wrk-request.lua');
    const lines = Object.entries(req.headers).map(
      ([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`,
    );
    writeFileSync(script, `${lines.join('\n')}\n`);
    args.push('-s', script);
  }
  args.push(req.url);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`wrk ${args.join(' ')} exited ${code}: ${out}`));
      try {
        resolve(parseWrk(out));
      } catch (e) {
        reject(e);
      }
    });
  });
}

async function runAutocannon(req: LoadRequest, s: { connections: number; seconds: number }) {
  const r = await autocannon({
    url: req.url,
    connections: s.connections,
    duration: s.seconds,
    ...(req.headers ? { headers: req.headers } : {}),
  });
  return {
    rps: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    socketErrors: r.errors + r.timeouts,
    requests: r.requests.total,
  };
}
