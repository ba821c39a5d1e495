// Owner scoping and the rules of cancel/retry/list, on rows whose state the test sets itself: the batched
// reader with owner and intruder in one batch, cancel on ended tasks, an intruder's cancel, strict pages.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { connectDatabase, type DatabaseHandle } from '../../src/db/client.js';
import type { TaskOutput } from '../../src/modules/tasks/schemas.js';
import { readTaskForWatcher } from '../../src/modules/tasks/task-reader.js';
import { appClient, appCodeOf, registerUser, type TestUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let sql: postgres.Sql;
let handle: DatabaseHandle;
let owner: TestUser;
let intruder: TestUser;
beforeAll(async () => {
  server = await startTestServer({ env: { AUTH_RATE_LIMIT: '1000' } });
  sql = postgres(server.database.url, { max: 2, onnotice: () => {} });
  handle = connectDatabase(server.database.url, { max: 4 });
  [owner, intruder] = await Promise.all([registerUser(server), registerUser(server)]);
});
afterAll(async () => {
  await handle?.close();
  await sql?.end();
  await server?.close();
});

const as = (user: TestUser) => appClient(server.url, user.session.accessToken);

type Status = TaskOutput['status'];

/**
 * A task row with no pg-boss job behind it, so nothing but the call under test changes it. A terminal
 * row gets the fields a real run would have left.
 */
async function insertTask(
  user: TestUser,
  status: Status,
  options: { type?: string; createdAt?: string; id?: string } = {},
): Promise<string> {
  const id = options.id ?? randomUUID();
  const ended = status === 'succeeded' || status === 'failed' || status === 'cancelled';
  await sql`
    insert into tasks (id, owner_id, type, status, input, progress, attempts, seq, result, error,
      created_at, updated_at, started_at, finished_at)
    values (${id}, ${user.session.user.id}, ${options.type ?? 'demo'}, ${status}, ${sql.json({ steps: 1 })},
      ${status === 'succeeded' ? 100 : 0}, ${status === 'queued' ? 0 : 1}, 3,
      ${status === 'succeeded' ? sql.json({ ok: true }) : null},
      ${status === 'failed' ? sql.json({ appCode: 'CONFLICT', message: 'boom' }) : null},
      ${options.createdAt ?? sql`now()`}, now() - interval '1 hour',
      ${status === 'queued' ? null : sql`now() - interval '1 hour'`},
      ${ended ? sql`now() - interval '1 hour'` : null})`;
  return id;
}

/** The whole row as stored, every column. */
async function storedRow(id: string) {
  const [row] = await sql`select * from tasks where id = ${id}`;
  if (!row) throw new Error(`no task ${id}`);
  return row;
}

describe('the batched task reader (live subscriptions)', () => {
  it('answers each read in one batch for its own owner only, when owner and intruder ask for the same task', async () => {
    const task = await insertTask(owner, 'running');
    const ownerId = owner.session.user.id;
    const intruderId = intruder.session.user.id;
    // Same tick: DataLoader sends these as one query over both owners.
    const [intruderFirst, ownerRead, intruderLast] = await Promise.all([
      readTaskForWatcher(handle.db, intruderId, task),
      readTaskForWatcher(handle.db, ownerId, task),
      readTaskForWatcher(handle.db, intruderId, task),
    ]);
    expect(ownerRead).toMatchObject({ id: task, status: 'running', seq: 3 });
    expect(intruderFirst).toBeUndefined();
    expect(intruderLast).toBeUndefined();
  });

  it('matches every key of a mixed batch to its own row, in the order asked', async () => {
    const mine = [await insertTask(owner, 'queued'), await insertTask(owner, 'succeeded')];
    const theirs = await insertTask(intruder, 'failed');
    const ownerId = owner.session.user.id;
    const intruderId = intruder.session.user.id;
    const keys = [
      [intruderId, mine[0]],
      [ownerId, theirs],
      [ownerId, mine[1]],
      [intruderId, theirs],
      [ownerId, mine[0]],
      [ownerId, randomUUID()],
    ] as const;
    const reads = await Promise.all(keys.map(([who, id]) => readTaskForWatcher(handle.db, who, id ?? '')));
    expect(reads.map((task) => task?.id ?? null)).toEqual([null, null, mine[1], theirs, mine[0], null]);
    expect(reads.map((task) => task?.status ?? null)).toEqual([
      null,
      null,
      'succeeded',
      'failed',
      'queued',
      null,
    ]);
  });

  it('over WebSocket: an intruder subscribing in the same tick as the owner gets TASK_NOT_FOUND and no event', async () => {
    const task = await insertTask(owner, 'succeeded');
    const subscribe = (user: TestUser) =>
      new Promise<{ events: TaskOutput[]; appCode?: string | undefined }>((resolve) => {
        const events: TaskOutput[] = [];
        server.as(user.session.accessToken).ws.task.onProgress.subscribe(
          { taskId: task },
          {
            onData: (event) => events.push(event.data),
            onError: (error) =>
              resolve({ events, appCode: (error.data as { appCode?: string } | null | undefined)?.appCode }),
            onComplete: () => resolve({ events }),
          },
        );
      });
    const [ownerSide, intruderSide] = await Promise.all([subscribe(owner), subscribe(intruder)]);
    expect(ownerSide.appCode).toBeUndefined();
    expect(ownerSide.events.map((t) => [t.id, t.status])).toEqual([[task, 'succeeded']]);
    expect(intruderSide).toEqual({ events: [], appCode: 'TASK_NOT_FOUND' });
  });
});

describe('task.cancel', () => {
  it.each(['succeeded', 'failed', 'cancelled'] as const)(
    'on a %s task → TASK_ALREADY_COMPLETED, the row unchanged',
    async (status) => {
      const id = await insertTask(owner, status);
      const before = await storedRow(id);
      expect(await appCodeOf(as(owner).task.cancel.mutate({ id }))).toBe('TASK_ALREADY_COMPLETED');
      expect(await storedRow(id)).toEqual(before);
    },
  );

  it.each(['queued', 'running'] as const)(
    "an intruder's cancel of a %s task → TASK_NOT_FOUND, the row unchanged; the owner's then works",
    async (status) => {
      const id = await insertTask(owner, status);
      const before = await storedRow(id);
      expect(await appCodeOf(as(intruder).task.cancel.mutate({ id }))).toBe('TASK_NOT_FOUND');
      expect(await storedRow(id)).toEqual(before);
      // The row was cancellable all along: only its owner's cancel may change it.
      const cancelled = await as(owner).task.cancel.mutate({ id });
      expect(cancelled).toMatchObject({ id, status: 'cancelled', message: 'cancelled', seq: 4 });
      const after = await storedRow(id);
      expect(after).toMatchObject({ status: 'cancelled', seq: 4 });
      expect(after.finished_at).toBeInstanceOf(Date);
    },
  );

  it('a missing task → TASK_NOT_FOUND', async () => {
    expect(await appCodeOf(as(owner).task.cancel.mutate({ id: randomUUID() }))).toBe('TASK_NOT_FOUND');
  });
});

describe('task.retry', () => {
  it("an intruder's retry of a failed task → TASK_NOT_FOUND, the row unchanged", async () => {
    const id = await insertTask(owner, 'failed');
    const before = await storedRow(id);
    expect(await appCodeOf(as(intruder).task.retry.mutate({ id }))).toBe('TASK_NOT_FOUND');
    expect(await storedRow(id)).toEqual(before);
  });

  it.each(['queued', 'running', 'succeeded'] as const)(
    'on a %s task → CONFLICT, the row unchanged',
    async (status) => {
      const id = await insertTask(owner, status);
      const before = await storedRow(id);
      expect(await appCodeOf(as(owner).task.retry.mutate({ id }))).toBe('CONFLICT');
      expect(await storedRow(id)).toEqual(before);
    },
  );
});

describe('task.list', () => {
  // Its own user, so the expected list is exactly what this test inserted. Three rows share one
  // created_at: the id breaks the tie, and a page boundary falls among them.
  let lister: TestUser;
  let expected: { id: string; status: Status; type: string }[];
  beforeAll(async () => {
    lister = await registerUser(server);
    const tie = '2026-01-01T10:00:00.123456Z';
    const specs: { status: Status; type: string; createdAt: string }[] = [
      { status: 'succeeded', type: 'demo', createdAt: '2026-01-01T09:00:00Z' },
      { status: 'failed', type: 'demo', createdAt: tie },
      { status: 'queued', type: 'other', createdAt: tie },
      { status: 'failed', type: 'other', createdAt: tie },
      { status: 'cancelled', type: 'demo', createdAt: '2026-01-01T11:00:00Z' },
      { status: 'failed', type: 'demo', createdAt: '2026-01-01T12:00:00Z' },
      { status: 'running', type: 'demo', createdAt: '2026-01-01T13:00:00Z' },
    ];
    const inserted = [];
    for (const spec of specs) {
      inserted.push({ ...spec, id: await insertTask(lister, spec.status, spec) });
    }
    // Newest first; equal created_at in descending id order.
    expected = inserted
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
      .map(({ id, status, type }) => ({ id, status, type }));
    // Someone else's tasks at the same instants must never show up.
    await insertTask(intruder, 'failed', { createdAt: tie });
    await insertTask(intruder, 'queued', { createdAt: '2026-01-01T11:00:00Z' });
  });

  async function allPages(input: { limit: number; status?: Status; type?: string }) {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await as(lister).task.list.query({ ...input, ...(cursor ? { cursor } : {}) });
      pages.push(page.items.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
      expect(pages.length).toBeLessThan(20);
    } while (cursor);
    return pages;
  }

  it('pages of 2 are disjoint and together give every task exactly once, newest first', async () => {
    const pages = await allPages({ limit: 2 });
    expect(pages).toEqual([
      expected.slice(0, 2).map((t) => t.id),
      expected.slice(2, 4).map((t) => t.id),
      expected.slice(4, 6).map((t) => t.id),
      expected.slice(6, 7).map((t) => t.id),
    ]);
    expect(new Set(pages.flat()).size).toBe(expected.length);
  });

  it('a page that ends exactly at the last task has no next cursor', async () => {
    const page = await as(lister).task.list.query({ limit: expected.length });
    expect(page.items.map((t) => t.id)).toEqual(expected.map((t) => t.id));
    expect(page.nextCursor).toBeNull();
  });

  it('filters by status and by type, exactly, across pages', async () => {
    const failed = expected.filter((t) => t.status === 'failed').map((t) => t.id);
    expect(failed).toHaveLength(3);
    expect((await allPages({ limit: 2, status: 'failed' })).flat()).toEqual(failed);
    const other = expected.filter((t) => t.type === 'other').map((t) => t.id);
    expect(other).toHaveLength(2);
    expect((await allPages({ limit: 1, type: 'other' })).flat()).toEqual(other);
    const failedOther = expected.filter((t) => t.type === 'other' && t.status === 'failed').map((t) => t.id);
    expect(failedOther).toHaveLength(1);
    expect(
      (await as(lister).task.list.query({ status: 'failed', type: 'other' })).items.map((t) => t.id),
    ).toEqual(failedOther);
    expect((await as(lister).task.list.query({ type: 'nothing-of-this-type' })).items).toEqual([]);
  });
});

describe('what the caller is told', () => {
  async function errorOf(promise: Promise<unknown>) {
    try {
      await promise;
      return 'no error';
    } catch (error) {
      const { message, data } = error as { message: string; data?: { appCode?: string } };
      return { appCode: data?.appCode, message };
    }
  }

  it('names the state that stops a cancel or a retry, and says nothing of another user’s task', async () => {
    const succeeded = await insertTask(owner, 'succeeded');
    const queued = await insertTask(owner, 'queued');
    expect(await errorOf(as(owner).task.cancel.mutate({ id: succeeded }))).toEqual({
      appCode: 'TASK_ALREADY_COMPLETED',
      message: 'The task already ended (succeeded)',
    });
    expect(await errorOf(as(owner).task.retry.mutate({ id: queued }))).toEqual({
      appCode: 'CONFLICT',
      message: 'Only failed or cancelled tasks can be retried (this one is queued)',
    });
    const notFound = { appCode: 'TASK_NOT_FOUND', message: 'No such task' };
    expect(await errorOf(as(intruder).task.get.query({ id: queued }))).toEqual(notFound);
    expect(await errorOf(as(intruder).task.cancel.mutate({ id: queued }))).toEqual(notFound);
    expect(await errorOf(as(intruder).task.retry.mutate({ id: queued }))).toEqual(notFound);
  });

  it('a new task has not started or finished', async () => {
    const task = await as(owner).task.createDemo.mutate({ steps: 1, stepMs: 0 });
    expect(task).toMatchObject({ status: 'queued', startedAt: null, finishedAt: null, attempts: 0 });
  });
});
