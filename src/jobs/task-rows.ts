// Task rows and their events: every statement that writes a task row, for the API (create, cancel, retry)
// and the worker (start, progress, finish) alike, and the one channel they are announced on. It sits in
// jobs/ because the worker writes these rows and may not import modules/; modules/tasks calls it for its
// writes and keeps its owner-scoped reads in modules/tasks/queries.ts.
import type postgres from 'postgres';
import type { Db } from '../db/client.js';
import type { TaskErrorInfo, TaskRow, TaskStatus } from '../db/schema/index.js';
import { postgresJsOf } from './postgres-js-adapter.js';

export const TASK_CHANNEL = 'docrpc_tasks';

export interface TaskEvent {
  taskId: string;
  seq: number;
  ownerId: string;
}

/** `<taskId>:<seq>:<ownerId>` (built in SQL by changeAndNotify): well under NOTIFY's 8 kB limit. */
export function parseTaskEvent(payload: string): TaskEvent | undefined {
  const [taskId, seq, ownerId] = payload.split(':');
  if (!taskId || !seq || !ownerId) return undefined;
  return { taskId, seq: Number(seq), ownerId };
}

interface NewTask {
  id: string;
  ownerId: string;
  type: string;
  input: unknown;
  jobId: string;
}

/** A task row as its owner sees it (no owner or job id). */
export type ShownTaskRow = Omit<TaskRow, 'ownerId' | 'jobId'>;

/**
 * A new task's row, in the transaction that sends its job (modules/tasks enqueueTask). No event: nobody
 * can be watching a task that did not exist. A prepared postgres-js template on the transaction's
 * connection, like pg-boss's insert next to it, rather than Drizzle's builder: the enqueue is a measured
 * hot path (bench tasks (a); bench/README.md findings, "Enqueue cost"), and built by Drizzle inside the
 * transaction this insert made enqueueing 0.63x as fast, +200 µs of node CPU each (in-process A/B, 20
 * callers, load ~14; the transaction itself, Drizzle's or postgres-js's, cost the same). A Drizzle prepared
 * statement cannot serve: it is bound to the pool, not to the transaction.
 */
export async function insertTask(db: Db, task: NewTask): Promise<ShownTaskRow> {
  const sql = postgresJsOf(db);
  const [row] = await sql<InsertedRow[]>`
    insert into tasks (id, owner_id, type, input, job_id)
    values (${task.id}, ${task.ownerId}, ${task.type}, ${JSON.stringify(task.input ?? null)}::text::jsonb, ${task.jobId})
    returning id, type, status, progress, message, input, result, error, attempts, seq,
      created_at as "createdAt", updated_at as "updatedAt"`;
  if (!row) throw new Error('insert into tasks returned nothing');
  // Timestamps arrive as text on Drizzle's client (it decodes them itself, per column).
  return {
    ...row,
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
    startedAt: null,
    finishedAt: null,
  };
}

type InsertedRow = Omit<ShownTaskRow, 'createdAt' | 'updatedAt' | 'startedAt' | 'finishedAt'> & {
  createdAt: string;
  updatedAt: string;
};

// Every change below bumps `seq` and NOTIFYs in the same statement (so a subscriber never sees a change
// without its event or an event without its change), through changeAndNotify, the one builder of the
// event. They are postgres-js tagged templates rather than Drizzle: the worker's run several times per task,
// and postgres-js sends them prepared (named, planned once per connection) where Drizzle's `execute` parses
// and plans each call (bench tasks (a); bench/README.md findings, "Worker's row updates as prepared
// postgres-js templates", 2ec5869: 73 → 93 tasks/s). The user's cancel and retry are not hot, but go the
// same way so that the event is written once. JSON goes in as text (`::text::jsonb`): a prepared jsonb
// parameter would be JSON-encoded a second time.
interface ChangedRow {
  id: string;
  ownerId: string;
  type: string;
  status: TaskStatus;
  input: unknown;
  attempts: number;
  seq: number;
  jobId: string | null;
}

async function changeAndNotify(
  sql: postgres.ISql,
  update: postgres.PendingQuery<postgres.Row[]>,
): Promise<ChangedRow | undefined> {
  const rows = await sql<ChangedRow[]>`
    with changed as (${update} returning id, owner_id, type, status, input, attempts, seq, job_id)
    select id, owner_id as "ownerId", type, status, input, attempts, seq, job_id as "jobId",
      pg_notify(${TASK_CHANNEL}, id || ':' || seq || ':' || owner_id)
    from changed`;
  return rows[0];
}

/**
 * One run of a task: its job and the attempt number its claim gave it. Every write of a running attempt is
 * conditioned on both, so a run the row no longer belongs to (cancelled and retried under a new job, or a job
 * whose claim pg-boss handed to a later attempt) changes nothing and learns that it must stop.
 */
export interface Attempt {
  taskId: string;
  jobId: string;
  number: number;
}

/**
 * Claims the task for an attempt of `jobId`; undefined when it was cancelled, already ended, or requeued
 * under another job since this one was sent (nothing to run).
 */
export function markRunning(db: Db, taskId: string, jobId: string) {
  const sql = postgresJsOf(db);
  return changeAndNotify(
    sql,
    sql`update tasks set status = 'running', attempts = attempts + 1, progress = 0,
          started_at = coalesce(started_at, now()), updated_at = now(), seq = seq + 1
        where id = ${taskId} and job_id = ${jobId} and status in ('queued', 'running')`,
  );
}

/** Returns false when the row is no longer this attempt's (cancelled, requeued): the handler should stop. */
export async function recordProgress(db: Db, attempt: Attempt, pct: number, message: string | null) {
  const sql = postgresJsOf(db);
  const row = await changeAndNotify(
    sql,
    sql`update tasks set progress = ${Math.max(0, Math.min(100, Math.round(pct)))}, message = ${message},
          updated_at = now(), seq = seq + 1
        where ${isRunningAttempt(sql, attempt)}`,
  );
  return row !== undefined;
}

/** Undefined when the row is no longer this attempt's: its result is dropped. */
export function markSucceeded(db: Db, attempt: Attempt, result: unknown) {
  const sql = postgresJsOf(db);
  return changeAndNotify(
    sql,
    sql`update tasks set status = 'succeeded', progress = 100, result = ${JSON.stringify(result ?? null)}::text::jsonb,
          error = null, finished_at = now(), updated_at = now(), seq = seq + 1
        where ${isRunningAttempt(sql, attempt)}`,
  );
}

/** A failed attempt: back to queued while retries remain, else failed for good; undefined when not its row. */
export function markAttemptFailed(db: Db, attempt: Attempt, error: TaskErrorInfo, final: boolean) {
  const sql = postgresJsOf(db);
  return changeAndNotify(
    sql,
    final
      ? sql`update tasks set status = 'failed', error = ${JSON.stringify(error)}::text::jsonb, message = ${error.message},
              finished_at = now(), updated_at = now(), seq = seq + 1
            where ${isRunningAttempt(sql, attempt)}`
      : sql`update tasks set status = 'queued', error = ${JSON.stringify(error)}::text::jsonb,
              message = ${`attempt failed, retrying: ${error.message}`}, updated_at = now(), seq = seq + 1
            where ${isRunningAttempt(sql, attempt)}`,
  );
}

/**
 * The row is running this very attempt. A fragment of the same statement (still one prepared statement per
 * call site, no extra round trip); `id` alone finds the row, the rest only decides.
 */
function isRunningAttempt(sql: postgres.ISql, attempt: Attempt) {
  return sql`id = ${attempt.taskId} and job_id = ${attempt.jobId} and attempts = ${attempt.number}
    and status = 'running'`;
}

/** Cancels the owner's task if it has not ended; undefined when it had ended or is not theirs. */
export function cancelTask(db: Db, ownerId: string, taskId: string) {
  const sql = postgresJsOf(db);
  return changeAndNotify(
    sql,
    sql`update tasks set status = 'cancelled', finished_at = now(), updated_at = now(), seq = seq + 1,
          message = 'cancelled'
        where id = ${taskId} and owner_id = ${ownerId} and status in ('queued', 'running')`,
  );
}

/**
 * Puts the owner's failed or cancelled task back in the queue under the job about to be sent in the same
 * transaction; undefined when it is not theirs or not in such a state.
 */
export function requeueTask(db: Db, ownerId: string, taskId: string, jobId: string) {
  const sql = postgresJsOf(db);
  return changeAndNotify(
    sql,
    sql`update tasks set status = 'queued', progress = 0, message = 'retry requested', error = null,
          result = null, finished_at = null, job_id = ${jobId}, updated_at = now(), seq = seq + 1
        where id = ${taskId} and owner_id = ${ownerId} and status in ('failed', 'cancelled')`,
  );
}

/**
 * Polled by a running attempt: false once the row is no longer this attempt's (the user cancelled it, and
 * perhaps retried it under a new job at once), seen within a poll even if no progress() call comes.
 */
export async function isCurrentAttempt(db: Db, attempt: Attempt): Promise<boolean> {
  const sql = postgresJsOf(db);
  const rows = await sql<{ id: string }[]>`select id from tasks where ${isRunningAttempt(sql, attempt)}`;
  return rows.length > 0;
}
