// Parts (a) and (b) of the file benchmark: one large upload and its download through docrpc and through the
// raw node:http baseline, timed, with the server's CPU and (for docrpc) its memory sampled alongside.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processCpuMs } from './cpu-usage.js';
import { sampleRss } from './rss.js';
import { download, pick, type TransferResult, uploadFile } from './transfer.js';

export interface Endpoint {
  name: string;
  port: number;
  pid: number;
}

export interface TransferFigures {
  server: string;
  direction: 'upload' | 'download';
  bytes: number;
  seconds: number;
  mibPerSec: number;
  /** Server CPU for the whole transfer; per GiB it is comparable even when the box is busy. */
  serverCpuMs: number | null;
  serverCpuMsPerGiB: number | null;
  /** Median RSS over ~0.5 s just before the transfer (after the disk was synced). */
  rssIdleBytes: number | null;
  /** Highest RSS seen, sampled every 50 ms while the transfer ran. */
  rssPeakBytes: number | null;
  rssGrowthBytes: number | null;
  rssSamples: number;
}

const GIB = 2 ** 30;

/**
 * Flushes dirty pages first so one transfer's write-back never lands on the next one's clock, then
 * samples idle memory, then runs the transfer with CPU and RSS measured around it.
 */
async function measure(
  server: Endpoint,
  direction: TransferFigures['direction'],
  run: () => Promise<TransferResult>,
): Promise<{ figures: TransferFigures; result: TransferResult }> {
  spawnSync('sync');
  const idle = sampleRss(server.pid);
  await sleep(500);
  const rssIdle = idle.stop().medianBytes;
  const busy = sampleRss(server.pid);
  const cpuBefore = processCpuMs(server.pid);
  const result = await run();
  const cpuAfter = processCpuMs(server.pid);
  const rss = busy.stop();
  const cpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  const seconds = result.ms / 1000;
  return {
    result,
    figures: {
      server: server.name,
      direction,
      bytes: result.bytes,
      seconds,
      mibPerSec: result.bytes / 2 ** 20 / seconds,
      serverCpuMs: cpuMs,
      serverCpuMsPerGiB: cpuMs === null || result.bytes === 0 ? null : (cpuMs * GIB) / result.bytes,
      rssIdleBytes: rssIdle,
      rssPeakBytes: rss.peakBytes,
      rssGrowthBytes: rssIdle === null || rss.peakBytes === null ? null : rss.peakBytes - rssIdle,
      rssSamples: rss.samples,
    },
  };
}

function fileIdOf(result: TransferResult, server: string): { id: string; size: unknown; sha256: unknown } {
  if (result.status !== 201) throw new Error(`${server} upload: status ${result.status}: ${result.body}`);
  const json: unknown = JSON.parse(result.body);
  const id = pick(json, 'file', 'id');
  if (typeof id !== 'string') throw new Error(`${server} upload: no file id in ${result.body}`);
  return { id, size: pick(json, 'file', 'size'), sha256: pick(json, 'file', 'sha256') };
}

function checkDownload(result: TransferResult, server: string, size: number): void {
  if (result.status !== 200) throw new Error(`${server} download: status ${result.status}: ${result.body}`);
  if (result.bytes !== size)
    throw new Error(`${server} download: got ${result.bytes} bytes, expected ${size}`);
}

export interface TransferOutcome {
  /** Every transfer of every round, in the order they ran. */
  figures: TransferFigures[];
  docrpcFileId: string;
}

/**
 * Each round: raw upload, raw + blob store upload, docrpc upload, raw download, docrpc download; the same
 * client code and the same source file for every server. Raw copies are deleted after their round.
 */
export async function runTransfers(opts: {
  docrpc: Endpoint;
  raw: Endpoint;
  rawDir: string;
  /** The raw server storing through docrpc's blob store (uploads only: downloads are the same code as raw's). */
  rawBlob: Endpoint;
  rawBlobDir: string;
  token: string;
  source: { file: string; bytes: number; sha256: string };
  rounds: number;
}): Promise<TransferOutcome> {
  const { docrpc, raw, source } = opts;
  const auth = { authorization: `Bearer ${opts.token}` };
  const size = source.bytes;
  const figures: TransferFigures[] = [];
  const report = (f: TransferFigures): void => {
    console.log(
      `  ${f.direction} ${f.server}: ${f.mibPerSec.toFixed(0)} MiB/s (${f.seconds.toFixed(2)} s), ` +
        `server cpu ${f.serverCpuMs?.toFixed(0) ?? '-'} ms`,
    );
    figures.push(f);
  };
  let docrpcFileId = '';
  for (let round = 1; round <= opts.rounds; round++) {
    if (opts.rounds > 1) console.log(`  round ${round}/${opts.rounds}`);
    const rawUp = await measure(raw, 'upload', () =>
      uploadFile({ port: raw.port, path: '/upload', file: source.file, size }),
    );
    const rawFile = fileIdOf(rawUp.result, raw.name);
    if (rawFile.size !== size)
      throw new Error(`${raw.name} stored ${String(rawFile.size)} bytes, sent ${size}`);
    report(rawUp.figures);

    const blobUp = await measure(opts.rawBlob, 'upload', () =>
      uploadFile({ port: opts.rawBlob.port, path: '/upload', file: source.file, size }),
    );
    if (fileIdOf(blobUp.result, opts.rawBlob.name).id !== source.sha256)
      throw new Error(`${opts.rawBlob.name} stored other bytes than were sent`);
    report(blobUp.figures);
    rmSync(join(opts.rawBlobDir, 'blobs'), { recursive: true, force: true });

    // Every round is a new file row; the bytes are deduplicated into the same blob.
    const docUp = await measure(docrpc, 'upload', () =>
      uploadFile({ port: docrpc.port, path: '/files?name=big.txt', file: source.file, size, headers: auth }),
    );
    const docFile = fileIdOf(docUp.result, docrpc.name);
    if (docFile.size !== size || docFile.sha256 !== source.sha256)
      throw new Error(`${docrpc.name} stored size ${String(docFile.size)} sha256 ${String(docFile.sha256)}`);
    report(docUp.figures);
    docrpcFileId = docFile.id;

    const rawDown = await measure(raw, 'download', () =>
      download({ port: raw.port, path: `/raw/${rawFile.id}` }),
    );
    checkDownload(rawDown.result, raw.name, size);
    report(rawDown.figures);
    rmSync(join(opts.rawDir, rawFile.id), { force: true });

    const docDown = await measure(docrpc, 'download', () =>
      download({ port: docrpc.port, path: `/files/${docFile.id}/content`, headers: auth }),
    );
    checkDownload(docDown.result, docrpc.name, size);
    report(docDown.figures);
  }
  return { figures, docrpcFileId };
}

/** Small distinct text files, so file.list has a full page (and a next cursor) to return. */
export async function seedFiles(opts: {
  port: number;
  token: string;
  count: number;
  dir: string;
}): Promise<void> {
  for (let i = 0; i < opts.count; i++) {
    const file = join(opts.dir, `seed-${i}.txt`);
    const text = `seed file ${i}\n${'small plain text line for the file.list benchmark\n'.repeat(20)}`;
    writeFileSync(file, text);
    const result = await uploadFile({
      port: opts.port,
      path: `/files?name=seed-${i}.txt&tags=bench`,
      file,
      size: Buffer.byteLength(text),
      headers: { authorization: `Bearer ${opts.token}` },
    });
    fileIdOf(result, 'docrpc seed');
  }
}
