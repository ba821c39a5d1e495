// The state rules of task.cancel and task.retry, their owner scoping and scopes, and the admission a retry
// passes like a new task (the LLM rate limit, the model check), called in-process with no worker running, so
// a task stays exactly where a call left it. Running tasks are tested in tasks.test.ts.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDocument } from '../../src/jobs/document-rows.js';
import { queueName } from '../../src/jobs/registry.js';
import type { TestUser } from '../helpers/auth.js';
import {
  type AppCaller,
  appCodeOf,
  errorOf,
  octetBody,
  startTestCallers,
  type TestCallers,
} from '../helpers/caller.js';

let app: TestCallers;
// Registering costs a password hash: one owner and one intruder serve every test.
let owner: TestUser & { api: AppCaller };
let intruder: TestUser & { api: AppCaller };
beforeAll(async () => {
  // One summary per user per window: the retry of a user's first summary is over the limit.
  app = await startTestCallers({ env: { LLM_RATE_LIMIT: '1' } });
  owner = await app.register();
  intruder = await app.register();
});
afterAll(async () => {
  await app?.close();
});

/** The pg-boss job a task row points at, that job's state, and how many jobs were ever sent for the task. */
async function jobOf(taskId: string, type = 'demo') {
  const [row] = await app.deps.db.execute<{ job_id: string | null; jobs: number }>(
    sql`select job_id, (select count(*)::int from pgboss.job where data->>'taskId' = ${taskId}) as jobs
        from tasks where id = ${taskId}`,
  );
  const jobId = row?.job_id ?? null;
  const job = jobId ? await app.deps.jobs.getJobById(queueName(type), jobId) : null;
  return { jobId, state: job?.state ?? null, jobs: row?.jobs ?? 0 };
}

const demo = (api: AppCaller) => api.task.createDemo({ steps: 1, stepMs: 0 });

describe('task.cancel', () => {
  it('cancels a queued task and drops its job; a second cancel answers TASK_ALREADY_COMPLETED', async () => {
    const { api } = owner;
    const task = await demo(api);
    expect(task).toMatchObject({ status: 'queued', progress: 0, attempts: 0, finishedAt: null });
    expect((await jobOf(task.id)).state).toBe('created');

    const cancelled = await api.task.cancel({ id: task.id });
    expect(cancelled).toMatchObject({ status: 'cancelled', message: 'cancelled', seq: task.seq + 1 });
    expect(cancelled.finishedAt).toBeInstanceOf(Date);
    expect((await jobOf(task.id)).state).toBe('cancelled');

    expect(await errorOf(api.task.cancel({ id: task.id }))).toMatchObject({
      message: 'The task already ended (cancelled)',
      data: { appCode: 'TASK_ALREADY_COMPLETED', httpStatus: 409 },
    });
    expect((await api.task.get({ id: task.id })).seq).toBe(task.seq + 1);
  });
});

describe('task.retry', () => {
  it('refuses a task that has not ended with CONFLICT, naming its status', async () => {
    const { api } = owner;
    const task = await demo(api);
    expect(await errorOf(api.task.retry({ id: task.id }))).toMatchObject({
      message: 'Only failed or cancelled tasks can be retried (this one is queued)',
      data: { appCode: 'CONFLICT', httpStatus: 409 },
    });
    expect(await api.task.get({ id: task.id })).toMatchObject({ status: 'queued', seq: task.seq });
  });

  it('requeues a cancelled task with a fresh job, cleared of its end', async () => {
    const { api } = owner;
    const task = await demo(api);
    const cancelled = await api.task.cancel({ id: task.id });
    const firstJob = await jobOf(task.id);

    const again = await api.task.retry({ id: task.id });
    expect(again).toMatchObject({
      id: task.id,
      status: 'queued',
      progress: 0,
      message: 'retry requested',
      error: null,
      result: null,
      finishedAt: null,
      seq: cancelled.seq + 1,
    });
    const secondJob = await jobOf(task.id);
    expect(secondJob.jobId).not.toBe(firstJob.jobId);
    expect(secondJob.state).toBe('created');
    expect(await appCodeOf(api.task.retry({ id: task.id }))).toBe('CONFLICT');
  });
});

/** A document of the user's, written by the worker's own insert (no worker runs here to extract it). */
async function documentOf(user: TestUser & { api: AppCaller }): Promise<string> {
  const text = 'A short note to summarise.';
  const file = await app
    .as(user.session.accessToken, { uploadMeta: { name: 'note.txt' } })
    .file.upload(octetBody(Buffer.from(text)));
  const id = await insertDocument(app.deps.db, {
    ownerId: user.session.user.id,
    fileId: file.id,
    sha256: randomBytes(32).toString('hex'),
    text,
    pages: null,
    words: 5,
    language: 'en',
    searchTokens: '',
    extractionMs: 0,
    extractorVersion: 'test',
  });
  if (!id) throw new Error('no document');
  return id;
}

describe('task.retry admits the new run as task creation does', () => {
  it('refuses a summary past the LLM rate limit with RATE_LIMIT_EXCEEDED and retry-after; it stays cancelled', async () => {
    const user = await app.register();
    const task = await user.api.document.summarize({ documentId: await documentOf(user) });
    const cancelled = await user.api.task.cancel({ id: task.id });
    const before = await jobOf(task.id, 'document.summarize');

    const refused = await errorOf(user.api.task.retry({ id: task.id }));
    expect(refused).toMatchObject({ data: { appCode: 'RATE_LIMIT_EXCEEDED', httpStatus: 429 } });
    const retryAfter = refused === 'no error' ? undefined : refused.data.retryAfterSeconds;
    expect(retryAfter).toBeGreaterThan(0);
    // Nothing changed: the row as the cancel left it, its job the cancelled one, no job sent.
    expect(await user.api.task.get({ id: task.id })).toEqual(cancelled);
    expect(await jobOf(task.id, 'document.summarize')).toEqual({ ...before, state: 'cancelled', jobs: 1 });
  });

  it('refuses a summary whose model no provider serves any more with VALIDATION_ERROR; it stays cancelled', async () => {
    const user = await app.register();
    await user.api.auth.updateSettings({ llmApiKey: 'sk-test-0123456789', preferredModel: 'some-model' });
    const task = await user.api.document.summarize({
      documentId: await documentOf(user),
      model: 'some-model',
    });
    const cancelled = await user.api.task.cancel({ id: task.id });
    // The key goes: no provider is configured anywhere (the test server has none of its own).
    await user.api.auth.updateSettings({ llmApiKey: null });

    const refused = await errorOf(user.api.task.retry({ id: task.id }));
    expect(refused).toMatchObject({
      data: {
        appCode: 'VALIDATION_ERROR',
        fieldErrors: { model: ['needs an LLM provider; none is configured'] },
      },
    });
    expect(await user.api.task.get({ id: task.id })).toEqual(cancelled);
    expect((await jobOf(task.id, 'document.summarize')).jobs).toBe(1);
  });

  it('a task type with no admission (demo) is retried whatever the LLM limit', async () => {
    const { api } = await app.register();
    const task = await demo(api);
    await api.task.cancel({ id: task.id });
    for (let i = 0; i < 3; i++) {
      expect((await api.task.retry({ id: task.id })).status).toBe('queued');
      await api.task.cancel({ id: task.id });
    }
    expect((await jobOf(task.id)).jobs).toBe(4);
  });
});

describe('owner scoping', () => {
  it("another user's task answers exactly like one that never existed: TASK_NOT_FOUND, untouched", async () => {
    const task = await demo(owner.api);
    const never = '00000000-0000-4000-8000-000000000000';
    const calls = (id: string) => [
      intruder.api.task.get({ id }),
      intruder.api.task.cancel({ id }),
      intruder.api.task.retry({ id }),
    ];
    const foreign = await Promise.all(calls(task.id).map(errorOf));
    expect(foreign).toEqual(await Promise.all(calls(never).map(errorOf)));
    expect(foreign.map((e) => (e === 'no error' ? e : [e.data.appCode, e.message]))).toEqual(
      Array.from({ length: 3 }, () => ['TASK_NOT_FOUND', 'No such task']),
    );
    expect(await intruder.api.task.list({})).toEqual({ items: [], nextCursor: null });
    expect(await owner.api.task.get({ id: task.id })).toMatchObject({ status: 'queued', seq: task.seq });
    expect((await jobOf(task.id)).state).toBe('created');
  });
});

describe('API token scopes on task.*', () => {
  it('tasks:read reads and lists but may neither cancel, retry nor create', async () => {
    const task = await demo(owner.api);
    const { secret } = await owner.api.auth.createToken({ name: 'watcher', scopes: ['tasks:read'] });
    const script = app.as(secret);
    expect((await script.task.get({ id: task.id })).status).toBe('queued');
    expect((await script.task.list({ limit: 1 })).items.map((t) => t.id)).toEqual([task.id]);
    expect(await errorOf(script.task.cancel({ id: task.id }))).toMatchObject({
      message: 'This API token lacks the "tasks:write" scope',
      data: { appCode: 'FORBIDDEN', httpStatus: 403 },
    });
    expect(await appCodeOf(script.task.retry({ id: task.id }))).toBe('FORBIDDEN');
    expect(await appCodeOf(demo(script))).toBe('FORBIDDEN');
    expect((await owner.api.task.get({ id: task.id })).status).toBe('queued');
  });
});
