// The state rules of task.cancel and task.retry, their owner scoping and scopes, called in-process with no
// worker running, so a task stays exactly where a call left it. Running tasks are tested in tasks.test.ts.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueName } from '../../src/jobs/registry.js';
import type { TestUser } from '../helpers/auth.js';
import { type AppCaller, appCodeOf, errorOf, startTestCallers, type TestCallers } from '../helpers/caller.js';

let app: TestCallers;
// Registering costs a password hash: one owner and one intruder serve every test.
let owner: TestUser & { api: AppCaller };
let intruder: TestUser & { api: AppCaller };
beforeAll(async () => {
  app = await startTestCallers();
  owner = await app.register();
  intruder = await app.register();
});
afterAll(async () => {
  await app?.close();
});

/** The pg-boss job a task row points at, and that job's state. */
async function jobOf(taskId: string) {
  const [row] = await app.deps.db.execute<{ job_id: string | null }>(
    sql`select job_id from tasks where id = ${taskId}`,
  );
  const jobId = row?.job_id ?? null;
  const job = jobId ? await app.deps.jobs.getJobById(queueName('demo'), jobId) : null;
  return { jobId, state: job?.state ?? null };
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
