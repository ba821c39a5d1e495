// Child process of the tasks benchmark: bare pg-boss send → work round trips with docrpc's queue settings, no task rows.
import type { JobResult, JobWithMetadata, QueueOptions } from 'pg-boss';
import { loadConfig } from '../../src/config.js';
import { startJobQueue } from '../../src/jobs/queue.js';
import { queueName } from '../../src/jobs/registry.js';
import { workOptions as docrpcWorkOptions } from '../../src/jobs/worker.js';
import { createLogger } from '../../src/logger.js';
import { serveIpc } from '../lib/ipc-child.js';
import type { BaselineApi, BaselineRun } from './protocol.js';

const config = loadConfig();
if (!config.databaseUrl) throw new Error('the baseline needs DATABASE_URL (the shared benchmark database)');
const logger = createLogger(config);
// docrpc's own constructor: same schema, pool size, useListenNotify and supervise settings as the server.
const boss = await startJobQueue(config.databaseUrl, config, logger);
const demo = await boss.getQueue(queueName('demo'));
if (!demo) throw new Error('startJobQueue did not create the demo queue');
// The demo queue's settings as docrpc stored them (notify, retries, expiry, heartbeat), copied, not restated.
const queueOptions: QueueOptions & { notify?: boolean } = {
  expireInSeconds: demo.expireInSeconds,
  retentionSeconds: demo.retentionSeconds,
  deleteAfterSeconds: demo.deleteAfterSeconds,
  retryLimit: demo.retryLimit,
  retryDelay: demo.retryDelay,
  retryBackoff: demo.retryBackoff,
  retryDelayMax: demo.retryDelayMax,
  heartbeatSeconds: demo.heartbeatSeconds,
  notify: demo.notify,
};
const queue = 'bench-noop';
if (await boss.getQueue(queue)) await boss.updateQueue(queue, queueOptions);
else await boss.createQueue(queue, queueOptions);

// The worker options src/jobs/worker.ts uses, from the same config.
const workOptions = docrpcWorkOptions(config.jobs);

let onJobs: ((count: number) => void) | undefined;
const handler = async (jobs: JobWithMetadata<{ i: number }>[]): Promise<JobResult[]> => {
  const results = jobs.map((job): JobResult => ({ id: job.id, status: 'completed' }));
  onJobs?.(jobs.length);
  return results;
};
await boss.work(queue, workOptions, handler);

async function run(arg: { jobs: number; concurrency: number; capMs: number }): Promise<BaselineRun> {
  let done = 0;
  let sent = 0;
  const started = performance.now();
  const finished = new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), arg.capMs);
    onJobs = (count) => {
      done += count;
      if (done >= arg.jobs) {
        clearTimeout(timer);
        resolve(performance.now());
      }
    };
  });
  await Promise.all(
    Array.from({ length: arg.concurrency }, async () => {
      while (sent < arg.jobs) {
        sent += 1;
        if (!(await boss.send(queue, { i: sent }))) throw new Error('pg-boss refused a job');
      }
    }),
  );
  const sentAt = performance.now();
  const doneAt = await finished;
  const completed = done;
  const ms = (doneAt ?? performance.now()) - started;
  onJobs = undefined;
  if (doneAt === null) await boss.deleteQueuedJobs(queue);
  // Let pg-boss write the last batch's completions, so they do not spill into whatever is measured next.
  for (let i = 0; i < 400; i++) {
    const q = await boss.getQueue(queue);
    if (q && q.activeCount === 0 && q.queuedCount === 0) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    jobs: arg.jobs,
    concurrency: arg.concurrency,
    finished: doneAt !== null,
    completed,
    ms,
    sendMs: sentAt - started,
    jobsPerSec: (completed * 1000) / ms,
  };
}

const api: BaselineApi = {
  run,
  settings: async () => ({
    queue: queueOptions,
    work: workOptions,
    jobPoolMax: config.jobs.poolMax,
    useListenNotify: true,
  }),
};
serveIpc(api, () => boss.stop({ graceful: true, timeout: 3_000, close: true }));
