// The worker's side of a task row (jobs/task-rows.ts), on rows the test sets up: which states each change
// accepts, what it writes, that it NOTIFYs in the same statement, and the NOTIFY payload's parser.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../src/db/client.js';
import {
  type Attempt,
  isCurrentAttempt,
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

/** The pg-boss job id each test row is under: one per row, derived from its id. */
const jobOf = (taskId: string) => `job-${taskId}`;

async function insertTask(status: Status, fields: { progress?: number; attempts?: number } = {}) {
  const id = randomUUID();
  await sql`
    insert into tasks (id, owner_id, type, status, input, progress, attempts, seq, started_at, job_id)
    values (${id}, ${ownerId}, 'demo', ${status}, ${sql.json({ steps: 2 })}, ${fields.progress ?? 0},
      ${fields.attempts ?? 0}, 5, ${status === 'queued' ? null : sql`now() - interval '1 minute'`}, ${jobOf(id)})`;
  return id;
}

/** The attempt a row's own job holds (test rows start at `attempts` 0 unless told). */
const attemptOn = (taskId: string, number = 0): Attempt => ({ taskId, jobId: jobOf(taskId), number });

/** Attempts a row running attempt `number` of its own job is not. */
const OTHER_ATTEMPTS: [string, (taskId: string, number: number) => Attempt][] = [
  // Cancelled and retried at once: task.retry sent a new job.
  ['the job before a retry', (taskId, number) => ({ taskId, jobId: 'job-before-the-retry', number })],
  // pg-boss gave the same job to a later attempt (the earlier one's claim expired).
  [
    'an earlier attempt of its job',
    (taskId, number) => ({ taskId, jobId: jobOf(taskId), number: number - 1 }),
  ],
];

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
      claimed = await markRunning(handle.db, id, jobOf(id));
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
    expect(await markRunning(handle.db, id, jobOf(id))).toMatchObject({ status: 'running', attempts: 2 });
    expect((await row(id)).started_at).toEqual(startedAt);
  });

  it.each(['succeeded', 'failed', 'cancelled'] as const)(
    'leaves a %s task alone (undefined, no event)',
    async (status) => {
      const id = await insertTask(status);
      const before = await row(id);
      let claimed: unknown = 'not called';
      const events = await notified(async () => {
        claimed = await markRunning(handle.db, id, jobOf(id));
      });
      expect(claimed).toBeUndefined();
      expect(events).toEqual([]);
      expect(await row(id)).toEqual(before);
    },
  );
});

describe('markRunning under a job the row no longer names', () => {
  it.each(['queued', 'running'] as const)(
    'leaves a %s task requeued under another job alone (undefined, no event)',
    async (status) => {
      const id = await insertTask(status, { attempts: 1 });
      const before = await row(id);
      let claimed: unknown = 'not called';
      const events = await notified(async () => {
        claimed = await markRunning(handle.db, id, 'job-before-the-retry');
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
      kept = await recordProgress(handle.db, attemptOn(id), pct, 'step');
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
      expect(await recordProgress(handle.db, attemptOn(id), 50, 'late')).toBe(false);
      expect(await row(id)).toEqual(before);
    },
  );
});

describe('markSucceeded and markAttemptFailed', () => {
  it('a running task succeeds with its result, progress 100, no error, finished', async () => {
    const id = await insertTask('running', { progress: 70 });
    await sql`update tasks set error = ${sql.json({ appCode: 'X', message: 'earlier attempt' })} where id = ${id}`;
    expect(await markSucceeded(handle.db, attemptOn(id), { pages: 3 })).toMatchObject({
      status: 'succeeded',
    });
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
    await markSucceeded(handle.db, attemptOn(id), undefined);
    expect(await row(id)).toMatchObject({ status: 'succeeded', result: null });
  });

  it('a final failure: failed, with the error and its message, finished', async () => {
    const id = await insertTask('running');
    const error = { appCode: 'CONFLICT', message: 'step 2 failed' };
    expect(await markAttemptFailed(handle.db, attemptOn(id), error, true)).toMatchObject({
      status: 'failed',
    });
    const after = await row(id);
    expect(after).toMatchObject({ status: 'failed', error, message: 'step 2 failed', seq: 6 });
    expect(after.finished_at).toBeInstanceOf(Date);
  });

  it('a failure with retries left: back to queued, the error kept, not finished', async () => {
    const id = await insertTask('running');
    const error = { appCode: 'CONFLICT', message: 'step 2 failed' };
    expect(await markAttemptFailed(handle.db, attemptOn(id), error, false)).toMatchObject({
      status: 'queued',
    });
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
    expect(await markSucceeded(handle.db, attemptOn(id), { late: true })).toBeUndefined();
    expect(
      await markAttemptFailed(handle.db, attemptOn(id), { appCode: 'X', message: 'late' }, true),
    ).toBeUndefined();
    expect(
      await markAttemptFailed(handle.db, attemptOn(id), { appCode: 'X', message: 'late' }, false),
    ).toBeUndefined();
    expect(await row(id)).toEqual(before);
  });
});

describe('a running row another attempt holds', () => {
  it.each(OTHER_ATTEMPTS)('is changed by no write of %s, and its poll says stop', async (_, otherOn) => {
    const id = await insertTask('running', { progress: 30, attempts: 2 });
    const other = otherOn(id, 2);
    const before = await row(id);
    const events = await notified(async () => {
      expect(await recordProgress(handle.db, other, 90, 'late')).toBe(false);
      expect(await markSucceeded(handle.db, other, { late: true })).toBeUndefined();
      expect(
        await markAttemptFailed(handle.db, other, { appCode: 'X', message: 'late' }, true),
      ).toBeUndefined();
      expect(
        await markAttemptFailed(handle.db, other, { appCode: 'X', message: 'late' }, false),
      ).toBeUndefined();
    });
    expect(events).toEqual([]);
    expect(await row(id)).toEqual(before);
    expect(await isCurrentAttempt(handle.db, other)).toBe(false);
    // The attempt that does hold it is answered yes, and may write.
    expect(await isCurrentAttempt(handle.db, attemptOn(id, 2))).toBe(true);
    expect(await recordProgress(handle.db, attemptOn(id, 2), 40, 'mine')).toBe(true);
  });
});

describe('isCurrentAttempt', () => {
  it.each([
    ['running', true],
    ['cancelled', false],
    ['queued', false],
    ['failed', false],
    ['succeeded', false],
  ] as const)('its own job and attempt on a %s row → %s', async (status, expected) => {
    expect(await isCurrentAttempt(handle.db, attemptOn(await insertTask(status)))).toBe(expected);
  });

  it('a missing task is no attempt’s', async () => {
    expect(await isCurrentAttempt(handle.db, attemptOn(randomUUID()))).toBe(false);
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
