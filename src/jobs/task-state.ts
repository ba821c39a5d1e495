// The worker's side of a task row: start, progress, finish. Each change bumps `seq` and NOTIFYs in the
// same statement, so a subscriber never sees a change without its event or an event without its change.
import type postgres from 'postgres';
import type { Database } from '../db/client.js';
import type { TaskErrorInfo } from '../db/schema/index.js';

export const TASK_CHANNEL = 'docrpc_tasks';

/** `<taskId>:<seq>:<ownerId>`: well under NOTIFY's 8 kB limit; subscribers re-read the row. */
export function parseTaskEvent(
  payload: string,
): { taskId: string; seq: number; ownerId: string } | undefined {
  const [taskId, seq, ownerId] = payload.split(':');
  if (!taskId || !seq || !ownerId) return undefined;
  return { taskId, seq: Number(seq), ownerId };
}

// Sent through postgres-js tagged templates rather than drizzle's sql: these run several times per task
// on the worker's hot path, and postgres-js prepares them (named statements, one round trip each, planned
// once per connection) where drizzle sends unnamed ones, parsed and planned on every call.
// JSON goes in as text (`::text::jsonb`): a prepared jsonb parameter would be JSON-encoded a second time.
type ChangedRow = { status: string; input: unknown; attempts: number };

async function changeAndNotify(db: Database, update: postgres.PendingQuery<postgres.Row[]>) {
  const sql = db.$client;
  const rows = await sql<ChangedRow[]>`
    with changed as (${update} returning id, owner_id, seq, status, input, attempts)
    select status, input, attempts, pg_notify(${TASK_CHANNEL}, id || ':' || seq || ':' || owner_id) from changed`;
  return rows[0];
}

/** Claims the task for an attempt; undefined when it was cancelled or already ended (nothing to run). */
export function markRunning(db: Database, taskId: string) {
  const sql = db.$client;
  return changeAndNotify(
    db,
    sql`update tasks set status = 'running', attempts = attempts + 1, progress = 0,
          started_at = coalesce(started_at, now()), updated_at = now(), seq = seq + 1
        where id = ${taskId} and status in ('queued', 'running')`,
  );
}

/** Returns false when the task is no longer running (cancelled): the handler should stop. */
export async function recordProgress(db: Database, taskId: string, pct: number, message: string | null) {
  const sql = db.$client;
  const row = await changeAndNotify(
    db,
    sql`update tasks set progress = ${Math.max(0, Math.min(100, Math.round(pct)))}, message = ${message},
          updated_at = now(), seq = seq + 1
        where id = ${taskId} and status = 'running'`,
  );
  return row !== undefined;
}

export function markSucceeded(db: Database, taskId: string, result: unknown) {
  const sql = db.$client;
  return changeAndNotify(
    db,
    sql`update tasks set status = 'succeeded', progress = 100, result = ${JSON.stringify(result ?? null)}::text::jsonb,
          error = null, finished_at = now(), updated_at = now(), seq = seq + 1
        where id = ${taskId} and status = 'running'`,
  );
}

/** A failed attempt: back to queued while retries remain, else failed for good. */
export function markAttemptFailed(db: Database, taskId: string, error: TaskErrorInfo, final: boolean) {
  const sql = db.$client;
  return changeAndNotify(
    db,
    final
      ? sql`update tasks set status = 'failed', error = ${JSON.stringify(error)}::text::jsonb, message = ${error.message},
              finished_at = now(), updated_at = now(), seq = seq + 1
            where id = ${taskId} and status = 'running'`
      : sql`update tasks set status = 'queued', error = ${JSON.stringify(error)}::text::jsonb,
              message = ${`attempt failed, retrying: ${error.message}`}, updated_at = now(), seq = seq + 1
            where id = ${taskId} and status = 'running'`,
  );
}

export async function isCancelled(db: Database, taskId: string): Promise<boolean> {
  const sql = db.$client;
  const rows = await sql<{ status: string }[]>`select status from tasks where id = ${taskId}`;
  return rows[0]?.status === 'cancelled';
}
