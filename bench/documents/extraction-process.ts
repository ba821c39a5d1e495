// A long PDF extracted by docrpc as `npm start` runs it (API and task handlers in one process, parsing in an
// extraction thread): the process's peak RSS over its idle RSS, and /health latency while it extracts against
// the same process idle for as long.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { TERMINAL_STATUSES } from '../../src/modules/tasks/schemas.js';
import { type DocrpcClient, docrpcClient, docrpcEnv, register, startDocrpc } from '../lib/docrpc.js';
import { type Dist, dist, sampleRss, settledRss } from '../lib/measure.js';
import { httpGet } from '../lib/processes.js';
import type { BenchContext } from '../lib/report.js';

export interface ProcessFigures {
  pages: number;
  extractMs: number;
  idleRssMiB: number;
  peakRssMiB: number;
  healthIdle: Dist;
  healthDuringExtract: Dist;
}

export async function measureInProcess(ctx: BenchContext, pdf: string): Promise<ProcessFigures> {
  const env = { ...(await docrpcEnv(ctx, 'bench_documents_extraction')), LOG_LEVEL: 'warn' };
  const api = await startDocrpc(ctx, 'docrpc-extract', env);
  try {
    const token = await register(api.port);
    const client = docrpcClient(api.port, token);
    const fileId = await upload(api.port, token, readFileSync(pdf));
    const idleRss = await settledRss(api.pid);

    const started = performance.now();
    const task = await client.document.extract.mutate({ fileId });
    const stopRss = sampleRss(api.pid, 20);
    const ended = waitForTask(client, task.id);
    const healthDuringExtract = await healthWhile(api.port, ended);
    const result = await ended;
    const extractMs = performance.now() - started;
    const { peak } = stopRss();
    if (result.status !== 'succeeded')
      throw new Error(`extraction ${result.status}: ${JSON.stringify(result.error)}`);
    const documentId = (result.result as { documentId: string }).documentId;
    const document = await client.document.get.query({ id: documentId });

    // The same number of /health calls, idle.
    const idle: number[] = [];
    for (let i = 0; i < healthDuringExtract.n; i++) {
      idle.push(await healthMs(api.port));
      await sleep(20);
    }
    return {
      pages: document.pages ?? 0,
      extractMs,
      idleRssMiB: idleRss / 2 ** 20,
      peakRssMiB: peak / 2 ** 20,
      healthIdle: dist(idle),
      healthDuringExtract,
    };
  } finally {
    await api.stop();
  }
}

async function upload(port: number, token: string, bytes: Buffer): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/files?name=long.pdf`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: bytes,
  });
  const body = (await response.json()) as { file?: { id: string } };
  if (!body.file) throw new Error(`upload: ${response.status} ${JSON.stringify(body)}`);
  return body.file.id;
}

async function waitForTask(client: DocrpcClient, id: string) {
  for (;;) {
    const task = await client.task.get.query({ id });
    if (TERMINAL_STATUSES.includes(task.status)) return task;
    await sleep(100);
  }
}

async function healthMs(port: number): Promise<number> {
  const started = performance.now();
  const { status } = await httpGet(port, '/health');
  if (status !== 200) throw new Error(`/health answered ${status}`);
  return performance.now() - started;
}

/** One /health call after another (20 ms apart) until `until` settles. */
async function healthWhile(port: number, until: Promise<unknown>): Promise<Dist> {
  let done = false;
  const end = () => {
    done = true;
  };
  until.then(end, end);
  const latencies: number[] = [];
  while (!done) {
    latencies.push(await healthMs(port));
    await sleep(20);
  }
  return dist(latencies);
}
