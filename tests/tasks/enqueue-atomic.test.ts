// A task row and its pg-boss job are written together or not at all: whichever of the two inserts
// fails, the transaction leaves neither behind. Driven at the service, against the server's database
// and a real pg-boss on it, because neither failure can be provoked through the API.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { type JobQueue, startJobQueue } from '../../src/jobs/queue.js';
import { queueName } from '../../src/jobs/registry.js';
import { createLogger } from '../../src/logger.js';
import { enqueueTask, retry } from '../../src/modules/tasks/service.js';
import { registerUser, type TestUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let user: TestUser;
let jobs: JobQueue;
beforeAll(async () => {
  server = await startTestServer();
  user = await registerUser(server);
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

const count = async (query: Promise<{ n: number }[]>) => (await query)[0]?.n;

describe('enqueueing a task', () => {
  it('writes the row and the job together', async () => {
    const { sql } = server.app.database;
    const task = await enqueueTask(
      { db: server.app.database.db, jobs, config: server.config },
      { id: user.session.user.id },
      'demo',
      {
        steps: 1,
        stepMs: 0,
      },
    );
    expect(await count(sql`select count(*)::int as n from tasks where id = ${task.id}`)).toBe(1);
    expect(
      await count(sql`select count(*)::int as n from pgboss.job where data->>'taskId' = ${task.id}`),
    ).toBe(1);
  });

  it('leaves no task row when the job cannot be sent', async () => {
    const { sql } = server.app.database;
    const before = await count(
      sql`select count(*)::int as n from tasks where owner_id = ${user.session.user.id}`,
    );
    const attempt = enqueueTask(
      { db: server.app.database.db, jobs, config: server.config },
      { id: user.session.user.id },
      'no-such-type',
      {},
    );
    await expect(attempt).rejects.toThrow();
    expect(
      await count(sql`select count(*)::int as n from tasks where owner_id = ${user.session.user.id}`),
    ).toBe(before);
  });

  it('leaves no job when the task row cannot be written', async () => {
    const { sql } = server.app.database;
    const queue = queueName('demo');
    const before = await count(sql`select count(*)::int as n from pgboss.job where name = ${queue}`);
    // No such user: the row's foreign key fails, after pg-boss's insert went out in the same transaction.
    const attempt = enqueueTask(
      { db: server.app.database.db, jobs, config: server.config },
      { id: randomUUID() },
      'demo',
      {
        steps: 1,
        stepMs: 0,
      },
    );
    await expect(attempt).rejects.toThrow(/foreign key/);
    expect(await count(sql`select count(*)::int as n from pgboss.job where name = ${queue}`)).toBe(before);
  });

  it('retry requeues the row with its new job, or leaves it as it was', async () => {
    const { sql } = server.app.database;
    const deps = { db: server.app.database.db, jobs, config: server.config };
    const caller = { id: user.session.user.id };
    const rowOf = async (id: string) =>
      (
        await sql<{ status: string; seq: number; job_id: string }[]>`
        select status, seq, job_id from tasks where id = ${id}`
      )[0];
    // Failed tasks written directly: one of a known type, one whose type has no queue (the send fails).
    const [known, unknown] = await sql<{ id: string }[]>`
      insert into tasks (owner_id, type, status, input) values
        (${caller.id}, 'demo', 'failed', '{"steps":1,"stepMs":0}'), (${caller.id}, 'no-such-type', 'failed', '{}')
      returning id`;
    if (!known || !unknown) throw new Error('fixture rows missing');

    await expect(retry(deps, caller, unknown.id)).rejects.toThrow();
    expect(await rowOf(unknown.id)).toEqual({ status: 'failed', seq: 0, job_id: null });

    const requeued = await retry(deps, caller, known.id);
    expect(requeued).toMatchObject({ id: known.id, status: 'queued', seq: 1 });
    const row = await rowOf(known.id);
    expect(
      await count(
        sql`select count(*)::int as n from pgboss.job where id = ${row?.job_id ?? ''}::uuid and data->>'taskId' = ${known.id}`,
      ),
    ).toBe(1);
  });
});
