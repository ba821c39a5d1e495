// Tasks as the user sees them: create (row + job atomically), read, cancel, retry, and watch live.
import { randomUUID } from 'node:crypto';
import { tracked } from '@trpc/server';
import type { Db } from '../../db/client.js';
import { invalidCursor, pageOf } from '../../db/keyset.js';
import type { TaskStatus } from '../../db/schema/index.js';
import type { AppDeps, Caller } from '../../deps.js';
import { AppError } from '../../errors.js';
import { jobQueueDb } from '../../jobs/postgres-js-adapter.js';
import { wakeups } from '../../jobs/progress.js';
import { queueName, taskDefinitionOf } from '../../jobs/registry.js';
import { cancelTask, insertTask, requeueTask } from '../../jobs/task-rows.js';
import { findTask, listRecentlyChanged, listTasks as listTaskRows, ownsTask } from './queries.js';
import { type TaskOutput, TERMINAL_STATUSES } from './schemas.js';
import { readTaskForWatcher } from './task-reader.js';

/**
 * The task type's admission check (defineTask `admit`), run before every job sent for a task: on create
 * and on retry, so that what limits a new run (the LLM rate limit) limits a retried one as well.
 */
async function admit(deps: Pick<AppDeps, 'db' | 'config'>, ownerId: string, type: string, input: unknown) {
  const definition = taskDefinitionOf(type);
  if (!definition?.admit) return;
  const parsed = definition.input.safeParse(input);
  // Only a stored input can fail here (a retry after the input's schema changed): the run would fail alike.
  if (!parsed.success) throw new AppError('VALIDATION_ERROR', 'The task input is no longer valid');
  await definition.admit({ db: deps.db, llm: deps.config.llm }, ownerId, parsed.data);
}

/**
 * The task row and its pg-boss job are written in ONE transaction (pg-boss sends through it, see
 * jobs/postgres-js-adapter.ts): a crash between the two cannot leave a task without a job or a job
 * without a task. Both ids are chosen here, so the two inserts go out together (pipelined on the
 * transaction's connection), both as prepared statements. The type's admission runs first.
 */
export async function enqueueTask(
  deps: Pick<AppDeps, 'db' | 'jobs' | 'config'>,
  caller: Pick<Caller, 'id'>,
  type: string,
  input: unknown,
): Promise<TaskOutput> {
  await admit(deps, caller.id, type, input);
  const taskId = randomUUID();
  const jobId = randomUUID();
  return deps.db.transaction(async (tx) => {
    const [task, sentId] = await Promise.all([
      insertTask(tx, { id: taskId, ownerId: caller.id, type, input, jobId }),
      deps.jobs.send(queueName(type), { taskId }, { id: jobId, db: jobQueueDb(tx) }),
    ]);
    if (sentId !== jobId) throw new Error('the job queue refused the job');
    return task;
  });
}

export function createDemo(
  deps: AppDeps,
  caller: Caller,
  input: { steps: number; stepMs: number; failAtStep?: number | undefined },
) {
  if (!deps.config.jobs.demoTasksEnabled && caller.role !== 'admin') {
    throw new AppError('FORBIDDEN', 'Demo tasks are disabled on this server');
  }
  return enqueueTask(deps, caller, 'demo', input);
}

export function getTask(deps: Pick<AppDeps, 'db'>, caller: Caller, id: string): Promise<TaskOutput> {
  return readTask(deps.db, caller.id, id);
}

async function readTask(db: Db, ownerId: string, id: string): Promise<TaskOutput> {
  const row = await findTask(db, ownerId, id);
  if (!row) throw new AppError('TASK_NOT_FOUND', 'No such task');
  const { jobId: _, ...task } = row;
  return task;
}

export async function listTasks(
  deps: AppDeps,
  caller: Caller,
  input: {
    status?: string | undefined;
    type?: string | undefined;
    cursor?: string | undefined;
    limit: number;
  },
) {
  const rows = await listTaskRows(deps.db, caller.id, { ...input, afterId: input.cursor });
  // An empty page after a cursor may mean the cursor is none of the caller's tasks: someone else's and
  // one that never existed are refused alike, so the answer says nothing about other users' ids.
  if (rows.length === 0 && input.cursor && !(await ownsTask(deps.db, caller.id, input.cursor))) {
    throw invalidCursor('task.list');
  }
  return pageOf(rows, input.limit, (last) => last.id);
}

export async function cancel(deps: AppDeps, caller: Caller, id: string): Promise<TaskOutput> {
  const cancelled = await cancelTask(deps.db, caller.id, id);
  if (!cancelled) {
    const task = await getTask(deps, caller, id);
    throw new AppError('TASK_ALREADY_COMPLETED', `The task already ended (${task.status})`);
  }
  // A queued job is dropped at once; a running one sees the row and aborts its handler.
  if (cancelled.jobId)
    await deps.jobs.cancel(queueName(cancelled.type), cancelled.jobId).catch(() => undefined);
  return getTask(deps, caller, id);
}

const RETRYABLE_STATUSES: readonly TaskStatus[] = ['failed', 'cancelled'];

/**
 * Back in the queue under a new job, in one transaction like enqueueTask: requeued with its job or not at
 * all. A new job is a new run, so the type's admission decides first, as it did for the task's creation; a
 * task it refuses stays as it was. The state is checked before that, so a retry refused for its state is not
 * counted against a limit.
 */
export async function retry(
  deps: Pick<AppDeps, 'db' | 'jobs' | 'config'>,
  caller: Pick<Caller, 'id'>,
  id: string,
): Promise<TaskOutput> {
  const task = await findTask(deps.db, caller.id, id);
  if (!task) throw new AppError('TASK_NOT_FOUND', 'No such task');
  if (!RETRYABLE_STATUSES.includes(task.status)) throw notRetryable(task.status);
  await admit(deps, caller.id, task.type, task.input);
  const jobId = randomUUID();
  return deps.db.transaction(async (tx) => {
    // Still in a retryable state: another retry may have requeued it since the read above.
    const requeued = await requeueTask(tx, caller.id, id, jobId);
    if (!requeued) {
      const existing = await findTask(tx, caller.id, id);
      if (!existing) throw new AppError('TASK_NOT_FOUND', 'No such task');
      throw notRetryable(existing.status);
    }
    const sentId = await deps.jobs.send(
      queueName(requeued.type),
      { taskId: requeued.id },
      { id: jobId, db: jobQueueDb(tx) },
    );
    if (sentId !== jobId) throw new Error('the job queue refused the job');
    return readTask(tx, caller.id, id);
  });
}

function notRetryable(status: TaskStatus): AppError {
  return new AppError('CONFLICT', `Only failed or cancelled tasks can be retried (this one is ${status})`);
}

/**
 * Every change to any of the caller's tasks, as it happens (a dashboard's feed). Starts with the tasks
 * that have not ended, then yields each task whose seq moved; never ends by itself.
 */
export async function* watchAllTasks(deps: AppDeps, caller: Caller, signal: AbortSignal | undefined) {
  const seen = new Map<string, number>();
  let first = true;
  for await (const _ of wakeups((wake) => deps.progress.watchOwner(caller.id, wake), signal)) {
    const rows = await listRecentlyChanged(deps.db, caller.id, first);
    first = false;
    for (const task of rows) {
      if ((seen.get(task.id) ?? -1) >= task.seq) continue;
      seen.set(task.id, task.seq);
      yield task;
    }
  }
}

/**
 * The current state first, then every change until the task ends. Subscribes before reading, so nothing
 * falls between; each yield is tracked by `seq`, so a client that reconnects with its last event id
 * gets only what it has not seen. Changes that come faster than they are read are coalesced to the latest.
 */
export async function* watchTask(
  deps: AppDeps,
  caller: Caller,
  taskId: string,
  lastEventId: string | undefined,
  signal: AbortSignal | undefined,
) {
  let lastSeq = lastEventId !== undefined && /^\d+$/.test(lastEventId) ? Number(lastEventId) : -1;
  for await (const _ of wakeups((wake) => deps.progress.watchTask(taskId, wake), signal)) {
    const task = await readTaskForWatcher(deps.db, caller.id, taskId);
    if (!task) throw new AppError('TASK_NOT_FOUND', 'No such task');
    if (task.seq > lastSeq) {
      lastSeq = task.seq;
      yield tracked(String(task.seq), task);
    }
    if (TERMINAL_STATUSES.includes(task.status)) return;
  }
}
