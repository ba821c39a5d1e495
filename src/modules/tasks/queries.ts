// SQL of the tasks module, owner-scoped.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type postgres from 'postgres';
import { tasks } from '../../db/schema/index.js';
import type { Db } from '../auth/queries.js';
import type { TaskOutput } from './schemas.js';

export const taskColumns = {
  id: tasks.id,
  type: tasks.type,
  status: tasks.status,
  progress: tasks.progress,
  message: tasks.message,
  input: tasks.input,
  result: tasks.result,
  error: tasks.error,
  attempts: tasks.attempts,
  seq: tasks.seq,
  createdAt: tasks.createdAt,
  updatedAt: tasks.updatedAt,
  startedAt: tasks.startedAt,
  finishedAt: tasks.finishedAt,
};

interface NewTask {
  id: string;
  ownerId: string;
  type: string;
  input: unknown;
  jobId: string;
}

/**
 * The enqueue's insert, through postgres-js in the caller's transaction so it goes out prepared next to
 * pg-boss's (see jobs/postgres-js-adapter.ts). Drizzle's driver leaves timestamps as text on this client.
 */
export async function insertTask(tx: postgres.TransactionSql, task: NewTask): Promise<TaskOutput> {
  const [row] = await tx<TaskRowText[]>`
    insert into tasks (id, owner_id, type, input, job_id)
    values (${task.id}, ${task.ownerId}, ${task.type}, ${JSON.stringify(task.input ?? null)}::text::jsonb, ${task.jobId})
    returning id, type, status, progress, message, input, result, error, attempts, seq,
      created_at as "createdAt", updated_at as "updatedAt", started_at as "startedAt", finished_at as "finishedAt"`;
  if (!row) throw new Error('insert into tasks returned nothing');
  return {
    ...row,
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
    startedAt: row.startedAt === null ? null : new Date(row.startedAt),
    finishedAt: row.finishedAt === null ? null : new Date(row.finishedAt),
  };
}

type TaskRowText = Omit<TaskOutput, 'createdAt' | 'updatedAt' | 'startedAt' | 'finishedAt'> & {
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

export async function setJobId(db: Db, taskId: string, jobId: string) {
  await db.update(tasks).set({ jobId }).where(eq(tasks.id, taskId));
}

export async function findTask(db: Db, ownerId: string, id: string) {
  const [row] = await db
    .select({ ...taskColumns, jobId: tasks.jobId })
    .from(tasks)
    .where(and(eq(tasks.ownerId, ownerId), eq(tasks.id, id)));
  return row;
}

export function listTasks(
  db: Db,
  ownerId: string,
  query: {
    status?: string | undefined;
    type?: string | undefined;
    afterId?: string | undefined;
    limit: number;
  },
) {
  return db
    .select(taskColumns)
    .from(tasks)
    .where(
      and(
        eq(tasks.ownerId, ownerId),
        query.status ? sql`${tasks.status} = ${query.status}` : undefined,
        query.type ? eq(tasks.type, query.type) : undefined,
        // Keyset on (created_at, id), read from the cursor row itself so no precision is lost in transit.
        query.afterId
          ? sql`(${tasks.createdAt}, ${tasks.id}) < (select t.created_at, t.id from tasks t where t.id = ${query.afterId})`
          : undefined,
      ),
    )
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(query.limit + 1);
}

/** Cancels a task that has not ended; returns the row, or undefined when it had ended or is not theirs. */
export async function cancelTask(db: Db, ownerId: string, id: string) {
  const rows = await db.execute<{ id: string; job_id: string | null; type: string }>(sql`
    with changed as (
      update tasks set status = 'cancelled', finished_at = now(), updated_at = now(), seq = seq + 1,
        message = 'cancelled'
      where id = ${id} and owner_id = ${ownerId} and status in ('queued', 'running')
      returning id, owner_id, seq, job_id, type)
    select id, job_id, type, pg_notify('docrpc_tasks', id || ':' || seq || ':' || owner_id) from changed`);
  return rows[0];
}

/** Puts a failed or cancelled task back in the queue; undefined when it is not in such a state. */
export async function requeueTask(db: Db, ownerId: string, id: string) {
  const [row] = await db
    .update(tasks)
    .set({
      status: 'queued',
      progress: 0,
      message: 'retry requested',
      error: null,
      result: null,
      finishedAt: null,
      updatedAt: sql`now()`,
      seq: sql`${tasks.seq} + 1`,
    })
    .where(and(eq(tasks.id, id), eq(tasks.ownerId, ownerId), inArray(tasks.status, ['failed', 'cancelled'])))
    .returning({ ...taskColumns });
  return row;
}

/** For the all-tasks feed: unfinished tasks at first, then whatever changed in the last minute. */
export function listRecentlyChanged(db: Db, ownerId: string, initial: boolean) {
  return db
    .select(taskColumns)
    .from(tasks)
    .where(
      and(
        eq(tasks.ownerId, ownerId),
        initial
          ? inArray(tasks.status, ['queued', 'running'])
          : sql`${tasks.updatedAt} > now() - interval '1 minute'`,
      ),
    )
    .orderBy(desc(tasks.updatedAt))
    .limit(200);
}

/** Several owners' tasks in one query; pairs the caller must match exactly (the owner filter keeps it scoped). */
export function findTasksOfOwners(db: Db, ownerIds: string[], ids: string[]) {
  return db
    .select({ ...taskColumns, ownerId: tasks.ownerId })
    .from(tasks)
    .where(and(inArray(tasks.ownerId, ownerIds), inArray(tasks.id, ids)));
}
