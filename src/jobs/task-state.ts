// The worker's side of a task row: start, progress, finish. Each change bumps `seq` and NOTIFYs in the
// same statement, so a subscriber never sees a change without its event or an event without its change.
import { type SQL, sql } from 'drizzle-orm';
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

async function changeAndNotify(
  db: Database,
  update: SQL,
): Promise<{ status: string; input: unknown; attempts: number } | undefined> {
  const rows = await db.execute<{ status: string; input: unknown; attempts: number }>(sql`
    with changed as (${update} returning id, owner_id, seq, status, input, attempts)
    select status, input, attempts, pg_notify(${TASK_CHANNEL}, id || ':' || seq || ':' || owner_id) from changed`);
  return rows[0];
}

/** Claims the task for an attempt; undefined when it was cancelled or already ended (nothing to run). */
export function markRunning(db: Database, taskId: string) {
  return changeAndNotify(
    db,
    sql`update tasks set status = 'running', attempts = attempts + 1, progress = 0,
          started_at = coalesce(started_at, now()), updated_at = now(), seq = seq + 1
        where id = ${taskId} and status in ('queued', 'running')`,
  );
}

/** Returns false when the task is no longer running (cancelled): the handler should stop. */
export async function recordProgress(db: Database, taskId: string, pct: number, message: string | null) {
  const row = await changeAndNotify(
    db,
    sql`update tasks set progress = ${Math.max(0, Math.min(100, Math.round(pct)))}, message = ${message},
          updated_at = now(), seq = seq + 1
        where id = ${taskId} and status = 'running'`,
  );
  return row !== undefined;
}

export function markSucceeded(db: Database, taskId: string, result: unknown) {
  return changeAndNotify(
    db,
    sql`update tasks set status = 'succeeded', progress = 100, result = ${JSON.stringify(result ?? null)}::jsonb,
          error = null, finished_at = now(), updated_at = now(), seq = seq + 1
        where id = ${taskId} and status = 'running'`,
  );
}

/** A failed attempt: back to queued while retries remain, else failed for good. */
export function markAttemptFailed(db: Database, taskId: string, error: TaskErrorInfo, final: boolean) {
  return changeAndNotify(
    db,
    final
      ? sql`update tasks set status = 'failed', error = ${JSON.stringify(error)}::jsonb, message = ${error.message},
              finished_at = now(), updated_at = now(), seq = seq + 1
            where id = ${taskId} and status = 'running'`
      : sql`update tasks set status = 'queued', error = ${JSON.stringify(error)}::jsonb,
              message = ${`attempt failed, retrying: ${error.message}`}, updated_at = now(), seq = seq + 1
            where id = ${taskId} and status = 'running'`,
  );
}

export async function isCancelled(db: Database, taskId: string): Promise<boolean> {
  const rows = await db.execute<{ status: string }>(sql`select status from tasks where id = ${taskId}`);
  return rows[0]?.status === 'cancelled';
}
