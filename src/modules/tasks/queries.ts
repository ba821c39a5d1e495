// Owner-scoped reads of task rows. Every write to a task row (create, cancel, retry, the worker's changes)
// is in jobs/task-rows.ts, next to the event each write sends.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { type Keyset, keysetAfter, keysetOrder, ownedRowPosition, rowsForPage } from '../../db/keyset.js';
import { ACTIVE_TASK_STATUSES, tasks } from '../../db/schema/index.js';

const taskColumns = {
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

export async function findTask(db: Db, ownerId: string, id: string) {
  const [row] = await db
    .select({ ...taskColumns, jobId: tasks.jobId })
    .from(tasks)
    .where(and(eq(tasks.ownerId, ownerId), eq(tasks.id, id)));
  return row;
}

/** task.list's order: newest first. */
const taskKeyset: Keyset = { columns: [tasks.createdAt, tasks.id], direction: 'desc' };

/** The rows of one page (rowsForPage: one extra) of the owner's tasks after the task `afterId`. */
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
        query.afterId
          ? keysetAfter(taskKeyset, ownedRowPosition(taskKeyset, tasks.ownerId, query.afterId, ownerId))
          : undefined,
      ),
    )
    .orderBy(...keysetOrder(taskKeyset))
    .limit(rowsForPage(query.limit));
}

/** Whether the owner has a task with this id (a list cursor that matched no row). */
export async function ownsTask(db: Db, ownerId: string, id: string): Promise<boolean> {
  const rows = await db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.ownerId, ownerId), eq(tasks.id, id)));
  return rows.length > 0;
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
          ? inArray(tasks.status, ACTIVE_TASK_STATUSES)
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
