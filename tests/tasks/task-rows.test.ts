// The worker's side of a task row (jobs/task-rows.ts), on rows the test sets up: which states each change
// accepts, what it writes, that it NOTIFYs in the same statement, and the NOTIFY payload's parser.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../src/db/client.js';
import {
  isCancelled,
  markAttemptFailed,
  markRunning,
  markSucceeded,
  parseTaskEvent,
  recordProgress,
  TASK_CHANNEL,
} from '../../src/jobs/task-rows.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let database: TestDatabase;
let handle: DatabaseHandle;
let sql: postgres.Sql;
let ownerId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  handle = connectDatabase(database.url, { max: 2 });
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
  const [user] = await sql<{ id: string }[]>`
    insert into users (username, email, password_hash) values ('worker_side', 'w@example.com', 'x') returning id`;
  ownerId = user?.id ?? '';
});
afterAll(async () => {
  await sql?.end();
  await handle?.close();
  await database?.drop();
});

type Status = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

async function insertTask(status: Status, fields: { progress?: number; attempts?: number } = {}) {
  const id = randomUUID();
  await sql`
    insert into tasks (id, owner_id, type, status, input, progress, attempts, seq, started_at)
    values (${id}, ${ownerId}, 'demo', ${status}, ${sql.json({ steps: 2 })}, ${fields.progress ?? 0},
      ${fields.attempts ?? 0}, 5, ${status === 'queued' ? null : sql`now() - interval '1 minute'`})`;
  return id;
}

async function row(id: string) {
  const [found] = await sql`select * from tasks where id = ${id}`;
  if (!found) throw new Error(`no task ${id}`);
  return found;
}

/** The NOTIFY payloads sent on the task channel while `action` runs. */
async function notified(action: () => Promise<unknown>): Promise<string[]> {
  const payloads: string[] = [];
  const listener = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    await listener.listen(TASK_CHANNEL, (payload) => payloads.push(payload));
    await action();
    // NOTIFY is delivered at commit, on another connection: give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 150));
    return payloads;
  } finally {
    await listener.end();
  }
}

describe('markRunning', () => {
  it('claims a queued task: running, one more attempt, progress 0, started now, seq + 1, notified', async () => {
    const id = await insertTask('queued', { progress: 40, attempts: 1 });
    let claimed: unknown;
    const events = await notified(async () => {
      claimed = await markRunning(handle.db, id);
    });
    expect(claimed).toMatchObject({ status: 'running', input: { steps: 2 }, attempts: 2 });
    const after = await row(id);
    expect(after).toMatchObject({ status: 'running', attempts: 2, progress: 0, seq: 6 });
    expect(after.started_at).toBeInstanceOf(Date);
    expect(events).toEqual([`${id}:6:${ownerId}`]);
  });

  it('keeps the first start time when a retried attempt claims it again', async () => {
    const id = await insertTask('running', { attempts: 1 });
    const startedAt = (await row(id)).started_at as Date;
    expect(await markRunning(handle.db, id)).toMatchObject({ status: 'running', attempts: 2 });
    expect((await row(id)).started_at).toEqual(startedAt);
  });

  it.each(['succeeded', 'failed', 'cancelled'] as const)(
    'leaves a %s task alone (undefined, no event)',
    async (status) => {
      const id = await insertTask(status);
      const before = await row(id);
      let claimed: unknown = 'not called';
      const events = await notified(async () => {
        claimed = await markRunning(handle.db, id);
      });
      expect(claimed).toBeUndefined();
      expect(events).toEqual([]);
      expect(await row(id)).toEqual(before);
    },
  );
});

describe('recordProgress', () => {
  it.each([
    [33.4, 33],
    [66.6, 67],
    [-5, 0],
    [150, 100],
    [0, 0],
    [100, 100],
  ])('progress %s is stored as %s, with the message, and notified', async (pct, stored) => {
    const id = await insertTask('running', { progress: 10 });
    let kept: unknown;
    const events = await notified(async () => {
      kept = await recordProgress(handle.db, id, pct, 'step');
    });
    expect(kept).toBe(true);
    expect(await row(id)).toMatchObject({ status: 'running', progress: stored, message: 'step', seq: 6 });
    expect(events).toEqual([`${id}:6:${ownerId}`]);
  });

  it.each(['queued', 'cancelled', 'succeeded'] as const)(
    'answers false on a %s task and changes nothing',
    async (status) => {
      const id = await insertTask(status, { progress: 10 });
      const before = await row(id);
      expect(await recordProgress(handle.db, id, 50, 'late')).toBe(false);
      expect(await row(id)).toEqual(before);
    },
  );
});

describe('markSucceeded and markAttemptFailed', () => {
  it('a running task succeeds with its result, progress 100, no error, finished', async () => {
    const id = await insertTask('running', { progress: 70 });
    await sql`update tasks set error = ${sql.json({ appCode: 'X', message: 'earlier attempt' })} where id = ${id}`;
    expect(await markSucceeded(handle.db, id, { pages: 3 })).toMatchObject({ status: 'succeeded' });
    const after = await row(id);
    expect(after).toMatchObject({
      status: 'succeeded',
      progress: 100,
      result: { pages: 3 },
      error: null,
      seq: 6,
    });
    expect(after.finished_at).toBeInstanceOf(Date);
  });

  it('an undefined result is stored as JSON null', async () => {
    const id = await insertTask('running');
    await markSucceeded(handle.db, id, undefined);
    expect(await row(id)).toMatchObject({ status: 'succeeded', result: null });
  });

  it('a final failure: failed, with the error and its message, finished', async () => {
    const id = await insertTask('running');
    const error = { appCode: 'CONFLICT', message: 'step 2 failed' };
    expect(await markAttemptFailed(handle.db, id, error, true)).toMatchObject({ status: 'failed' });
    const after = await row(id);
    expect(after).toMatchObject({ status: 'failed', error, message: 'step 2 failed', seq: 6 });
    expect(after.finished_at).toBeInstanceOf(Date);
  });

  it('a failure with retries left: back to queued, the error kept, not finished', async () => {
    const id = await insertTask('running');
    const error = { appCode: 'CONFLICT', message: 'step 2 failed' };
    expect(await markAttemptFailed(handle.db, id, error, false)).toMatchObject({ status: 'queued' });
    expect(await row(id)).toMatchObject({
      status: 'queued',
      error,
      message: 'attempt failed, retrying: step 2 failed',
      finished_at: null,
      seq: 6,
    });
  });

  it.each(['queued', 'cancelled'] as const)('neither touches a %s task', async (status) => {
    const id = await insertTask(status);
    const before = await row(id);
    expect(await markSucceeded(handle.db, id, { late: true })).toBeUndefined();
    expect(await markAttemptFailed(handle.db, id, { appCode: 'X', message: 'late' }, true)).toBeUndefined();
    expect(await markAttemptFailed(handle.db, id, { appCode: 'X', message: 'late' }, false)).toBeUndefined();
    expect(await row(id)).toEqual(before);
  });
});

describe('isCancelled', () => {
  it.each([
    ['cancelled', true],
    ['running', false],
    ['queued', false],
    ['failed', false],
  ] as const)('%s → %s', async (status, expected) => {
    expect(await isCancelled(handle.db, await insertTask(status))).toBe(expected);
  });

  it('a missing task is not cancelled', async () => {
    expect(await isCancelled(handle.db, randomUUID())).toBe(false);
  });
});

describe('parseTaskEvent', () => {
  it('reads <taskId>:<seq>:<ownerId>', () => {
    expect(parseTaskEvent('t-1:12:o-1')).toEqual({ taskId: 't-1', seq: 12, ownerId: 'o-1' });
  });

  it.each(['', 't-1', 't-1:12', ':12:o-1', 't-1::o-1', 't-1:12:'])('refuses %j', (payload) => {
    expect(parseTaskEvent(payload)).toBeUndefined();
  });
});
