// The client side of the transfer benchmark: the source file, a streamed upload and a counted download over
// loopback, each timed with the server's CPU and RSS measured around it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuMs, sampleRss } from '../lib/measure.js';

const MIB = 2 ** 20;

/** `mib` MiB of 64-byte ASCII lines (docrpc sniffs the content), never all in memory; returns its sha256. */
export function writeAsciiFile(path: string, mib: number): { bytes: number; sha256: string } {
  const block = Buffer.alloc(MIB);
  for (let i = 0; i < MIB / 64; i++) {
    block.write(
      `line ${String(i).padStart(5, '0')} the quick brown fox jumps over the lazy dog 0123456789`.slice(
        0,
        63,
      ),
      i * 64,
    );
    block[i * 64 + 63] = 0x0a;
  }
  const hash = createHash('sha256');
  const fd = openSync(path, 'w', 0o644);
  try {
    for (let b = 0; b < mib; b++) {
      block.write(`block ${String(b).padStart(9, '0')}`, 0); // so blocks differ
      writeSync(fd, block);
      hash.update(block);
    }
  } finally {
    closeSync(fd);
  }
  return { bytes: mib * MIB, sha256: hash.digest('hex') };
}

export interface Reply {
  status: number;
  bytes: number;
  /** The body of an upload's answer, the first 4 KiB of a download. */
  body: string;
}

/** POST of a file as the raw body (an fs stream piped into the request) or GET counting the bytes. */
export function transfer(o: {
  port: number;
  path: string;
  upload?: { file: string; size: number };
  headers?: Record<string, string>;
}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const headers = o.upload
      ? { 'content-type': 'text/plain', 'content-length': String(o.upload.size), ...o.headers }
      : (o.headers ?? {});
    const method = o.upload ? 'POST' : 'GET';
    const req = request(
      { host: '127.0.0.1', port: o.port, path: o.path, method, headers, agent: false },
      (res) => {
        answered = true;
        let bytes = 0;
        const head: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (bytes < 4096) head.push(c.subarray(0, 4096 - bytes));
          bytes += c.length;
        });
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            bytes: o.upload?.size ?? bytes,
            body: Buffer.concat(head).toString(),
          }),
        );
      },
    );
    // A server that refuses early may close while we still send; its answer is what matters then.
    req.on('error', (err) => !answered && reject(err));
    if (!o.upload) return req.end();
    createReadStream(o.upload.file)
      .on('error', (err) => req.destroy(err))
      .pipe(req);
  });
}

export interface TransferFigures {
  server: string;
  direction: 'upload' | 'download';
  mibPerSec: number;
  cpuMsPerGiB: number | null;
  /** Peak RSS during the transfer minus the idle median just before it. */
  rssGrowthMiB: number;
}

/**
 * Flushes dirty pages first so one transfer's write-back never lands on the next one's clock, samples
 * idle memory, then runs the transfer with CPU and RSS measured around it.
 */
export async function measured(
  server: { name: string; pid: number },
  direction: TransferFigures['direction'],
  go: () => Promise<Reply>,
): Promise<{ reply: Reply; figures: TransferFigures }> {
  spawnSync('sync');
  const idle = sampleRss(server.pid);
  await sleep(500);
  const idleRss = idle().median;
  const busy = sampleRss(server.pid);
  const cpu0 = cpuMs(server.pid);
  const started = performance.now();
  const reply = await go();
  const seconds = (performance.now() - started) / 1000;
  const cpu1 = cpuMs(server.pid);
  const figures: TransferFigures = {
    server: server.name,
    direction,
    mibPerSec: reply.bytes / MIB / seconds,
    cpuMsPerGiB: cpu0 === null || cpu1 === null ? null : ((cpu1 - cpu0) * 1024 * MIB) / reply.bytes,
    rssGrowthMiB: (busy().peak - idleRss) / MIB,
  };
  console.log(
    `  ${direction} ${server.name}: ${figures.mibPerSec.toFixed(0)} MiB/s, ${figures.cpuMsPerGiB?.toFixed(0)} ms CPU/GiB`,
  );
  return { reply, figures };
}

/** The stored file's id and what the server says it stored; throws on anything but 201. */
export function stored(reply: Reply, server: string): { id: string; size?: number; sha256?: string } {
  if (reply.status !== 201) throw new Error(`${server} upload: ${reply.status} ${reply.body}`);
  const { file } = JSON.parse(reply.body) as { file: { id: string; size?: number; sha256?: string } };
  return file;
}
