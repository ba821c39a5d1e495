// Live task events on rows the test sets up: task.onProgress resuming from a last event id (numbers only),
// task.onAnyProgress starting with unfinished tasks and never repeating a change, retry's job and NOTIFY,
// and the batched reader never answering from a cache.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { connectDatabase, type DatabaseHandle } from '../../src/db/client.js';
import { TASK_CHANNEL } from '../../src/jobs/task-rows.js';
import type { TaskOutput } from '../../src/modules/tasks/schemas.js';
import { readTaskForWatcher } from '../../src/modules/tasks/task-reader.js';
import { appClient, registerUser, type TestUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let sql: postgres.Sql;
let handle: DatabaseHandle;
let owner: TestUser;
beforeAll(async () => {
  server = await startTestServer({ env: { AUTH_RATE_LIMIT: '1000' } });
  sql = postgres(server.database.url, { max: 2, onnotice: () => {} });
  handle = connectDatabase(server.database.url, { max: 2 });
  owner = await registerUser(server);
});
afterAll(async () => {
  await handle?.close();
  await sql?.end();
  await server?.close();
});

type Status = TaskOutput['status'];

/** A task row with no job behind it; `changed` is how long ago it last changed. */
async function insertTask(user: TestUser, status: Status, options: { seq?: number; changed?: string } = {}) {
  const id = randomUUID();
  await sql`
    insert into tasks (id, owner_id, type, status, input, seq, updated_at)
    values (${id}, ${user.session.user.id}, 'demo', ${status}, ${sql.json({ steps: 1 })}, ${options.seq ?? 3},
      now() - ${options.changed ?? '1 hour'}::interval)`;
  return id;
}

/** task.onProgress until it completes; its events as [id, seq] pairs. */
function watchTask(taskId: string, lastEventId?: string) {
  return new Promise<{ events: [string, number][]; appCode?: string | undefined; message?: string }>(
    (resolve) => {
      const events: [string, number][] = [];
      server.as(owner.session.accessToken).ws.task.onProgress.subscribe(
        { taskId, ...(lastEventId !== undefined ? { lastEventId } : {}) },
        {
          onData: (event) => events.push([event.id, event.data.seq]),
          onError: (error) =>
            resolve({
              events,
              appCode: (error.data as { appCode?: string } | null | undefined)?.appCode,
              message: error.message,
            }),
          onComplete: () => resolve({ events }),
        },
      );
    },
  );
}

describe('task.onProgress resumes from a last event id', () => {
  it.each([
    ['none', undefined, [['12', 12]]],
    ['an older one', '11', [['12', 12]]],
    ['zero', '0', [['12', 12]]],
    ['the current one', '12', []],
    ['a newer one', '13', []],
    ['one that is not a number', 'abc', [['12', 12]]],
    ['digits then letters', '12abc', [['12', 12]]],
    ['letters then digits', 'abc12', [['12', 12]]],
    ['a negative number', '-1', [['12', 12]]],
  ] as const)('%s (%j) → %j', async (_label, lastEventId, expected) => {
    const id = await insertTask(owner, 'succeeded', { seq: 12 });
    expect(await watchTask(id, lastEventId)).toEqual({ events: expected });
  });

  it('a task at seq 1 is still sent to a new subscriber', async () => {
    const id = await insertTask(owner, 'failed', { seq: 1 });
    expect(await watchTask(id)).toEqual({ events: [['1', 1]] });
  });

  it('a missing task → TASK_NOT_FOUND, no event', async () => {
    expect(await watchTask(randomUUID())).toEqual({
      events: [],
      appCode: 'TASK_NOT_FOUND',
      message: 'No such task',
    });
  });
});

describe('task.onAnyProgress', () => {
  it('starts with the unfinished tasks, then sends each change once, and nobody else’s', async () => {
    const user = await registerUser(server);
    const other = await registerUser(server);
    const runningNow = await insertTask(user, 'running', { changed: '0 seconds' });
    const queuedLongAgo = await insertTask(user, 'queued', { changed: '1 hour' });
    await insertTask(user, 'succeeded', { changed: '1 hour' });
    await insertTask(other, 'running', { changed: '0 seconds' });
    const toCancel = await insertTask(user, 'queued', { changed: '1 hour' });
    // Never changed since it was created (seq 0), as a task just enqueued.
    const fresh = await insertTask(user, 'queued', { seq: 0, changed: '2 hours' });
    const seen: [string, number, Status][] = [];
    const subscription = server.as(user.session.accessToken).ws.task.onAnyProgress.subscribe(undefined, {
      onData: (task) => seen.push([task.id, task.seq, task.status]),
    });
    const waitFor = async (count: number) => {
      const deadline = Date.now() + 5_000;
      while (seen.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    try {
      await waitFor(4);
      // Unfinished tasks first (newest change first), whatever their age; the old succeeded one is not news.
      expect(seen).toEqual([
        [runningNow, 3, 'running'],
        [toCancel, 3, 'queued'],
        [queuedLongAgo, 3, 'queued'],
        [fresh, 0, 'queued'],
      ]);
      // A change wakes the feed: it reads what changed in the last minute, which includes runningNow
      // again at the same seq; only the cancelled task is new.
      await appClient(server.url, user.session.accessToken).task.cancel.mutate({ id: toCancel });
      await waitFor(5);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen.slice(4)).toEqual([[toCancel, 4, 'cancelled']]);
    } finally {
      subscription.unsubscribe();
    }
  });
});

describe('task.retry', () => {
  it('queues a new job, records its id on the task and notifies subscribers at the new seq', async () => {
    const id = await insertTask(owner, 'failed', { seq: 3 });
    const payloads: string[] = [];
    const listener = postgres(server.database.url, { max: 1, onnotice: () => {} });
    try {
      await listener.listen(TASK_CHANNEL, (payload) => payloads.push(payload));
      const task = await appClient(server.url, owner.session.accessToken).task.retry.mutate({ id });
      expect(task).toMatchObject({ id, status: 'queued', seq: 4, message: 'retry requested', error: null });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(payloads[0]).toBe(`${id}:4:${owner.session.user.id}`);
    } finally {
      await listener.end();
    }
    const jobs = await sql<{ id: string }[]>`select id from pgboss.job where data->>'taskId' = ${id}`;
    expect(jobs).toHaveLength(1);
    const [row] = await sql<{ job_id: string | null }[]>`select job_id from tasks where id = ${id}`;
    expect(row?.job_id).toBe(jobs[0]?.id);
  });
});

describe('cancel', () => {
  it('ends the pg-boss job of a running task with the row, never to run again', async () => {
    const api = appClient(server.url, owner.session.accessToken);
    const task = await api.task.createDemo.mutate({ steps: 200, stepMs: 50 });
    const deadline = Date.now() + 10_000;
    while ((await api.task.get.query({ id: task.id })).status !== 'running' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await api.task.cancel.mutate({ id: task.id });
    // The service cancels the job right after the row; the handler may notice the row first and end the job
    // itself ('completed'), a race either side may win. Either way it is over: no retry, no second job.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const jobs = await sql<
      { state: string; retry_count: number }[]
    >`select state, retry_count from pgboss.job where data->>'taskId' = ${task.id}`;
    expect(jobs).toHaveLength(1);
    expect(['cancelled', 'completed']).toContain(jobs[0]?.state);
    expect(jobs[0]?.retry_count).toBe(0);
    expect((await api.task.get.query({ id: task.id })).status).toBe('cancelled');
  });
});

describe('the batched reader', () => {
  it('never answers from a cache: a read after a change sees the change', async () => {
    const id = await insertTask(owner, 'running', { seq: 3 });
    const ownerId = owner.session.user.id;
    expect((await readTaskForWatcher(handle.db, ownerId, id))?.seq).toBe(3);
    await sql`update tasks set seq = 4, progress = 50 where id = ${id}`;
    expect(await readTaskForWatcher(handle.db, ownerId, id)).toMatchObject({ seq: 4, progress: 50 });
  });
});
