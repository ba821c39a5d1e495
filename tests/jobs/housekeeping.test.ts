// Housekeeping: worker processes schedule it and run it through pg-boss; a run drops the rate-limit
// counters whose window has ended and keeps the others. The job is sent directly rather than waited for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { HOUSEKEEPING_CRON, HOUSEKEEPING_QUEUE } from '../../src/jobs/housekeeping.js';
import { type JobQueue, startJobQueue } from '../../src/jobs/queue.js';
import { createLogger } from '../../src/logger.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let jobs: JobQueue;
beforeAll(async () => {
  server = await startTestServer();
  // A second pg-boss on the server's database, only to send the job as the cron pass would.
  jobs = await startJobQueue(
    server.app.database.url,
    server.config,
    createLogger({ ...server.config, logLevel: 'silent' }),
  );
});
afterAll(async () => {
  await jobs?.stop({ graceful: false, close: true });
  await server?.close();
});

async function runHousekeepingJob(queue: JobQueue): Promise<string | undefined> {
  const id = await queue.send(HOUSEKEEPING_QUEUE, {});
  if (!id) throw new Error('the housekeeping job was not sent');
  const deadline = Date.now() + 15_000;
  for (;;) {
    const job = await queue.getJobById(HOUSEKEEPING_QUEUE, id);
    if (job?.state !== 'created' && job?.state !== 'active') return job?.state;
    if (Date.now() > deadline) return job.state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('housekeeping', () => {
  it('removes rate-limit counters whose window has ended, and keeps the others', async () => {
    const { sql } = server.app.database;
    // With the default 60 s auth window, counters are kept for the longest window a rule may have: 1 hour.
    await sql`
      insert into rate_limits (key, window_start, count) values
        ('test:old-day', now() - interval '1 day', 5),
        ('test:old-hour', now() - interval '61 minutes', 5),
        ('test:fresh-hour', now() - interval '59 minutes', 5),
        ('test:fresh-now', now(), 1)`;

    expect(await runHousekeepingJob(jobs)).toBe('completed');

    const rows = await sql<
      { key: string }[]
    >`select key from rate_limits where key like 'test:%' order by key`;
    expect(rows.map((row) => row.key)).toEqual(['test:fresh-hour', 'test:fresh-now']);
  });

  it('is scheduled by a process that runs workers', async () => {
    const rows = await server.app.database.sql<{ cron: string }[]>`
      select cron from pgboss.schedule where name = ${HOUSEKEEPING_QUEUE}`;
    expect(rows.map((row) => row.cron)).toEqual([HOUSEKEEPING_CRON]);
  });

  it('is neither scheduled nor worked by an API-only process', async () => {
    const apiOnly = await startTestServer({ env: { WORKER_ENABLED: 'false' } });
    try {
      const { sql } = apiOnly.app.database;
      const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n from pgboss.schedule where name = ${HOUSEKEEPING_QUEUE}`;
      expect(row?.n).toBe(0);
      const [queue] = await sql<{ n: number }[]>`
        select count(*)::int as n from pgboss.queue where name = ${HOUSEKEEPING_QUEUE}`;
      expect(queue?.n).toBe(0);
    } finally {
      await apiOnly.close();
    }
  });
});
