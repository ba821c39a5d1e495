// Tasks: the user-visible record of a background job (pg-boss owns delivery, retries and expiry).
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.js';

export const taskStatus = pgEnum('task_status', ['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type TaskStatus = (typeof taskStatus.enumValues)[number];

/** A task in one of these has not ended: its job is waiting or running (the partial index below). */
export const ACTIVE_TASK_STATUSES = ['queued', 'running'] as const satisfies readonly TaskStatus[];

export interface TaskErrorInfo {
  appCode: string;
  message: string;
}

export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    status: taskStatus('status').notNull().default('queued'),
    progress: integer('progress').notNull().default(0),
    message: text('message'),
    input: jsonb('input').$type<unknown>().notNull(),
    result: jsonb('result').$type<unknown>(),
    error: jsonb('error').$type<TaskErrorInfo>(),
    attempts: integer('attempts').notNull().default(0),
    /** Bumped on every change: the id of the change, for resumable subscriptions. */
    seq: integer('seq').notNull().default(0),
    jobId: text('job_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('tasks_owner_created_idx').on(table.ownerId, table.createdAt.desc(), table.id.desc()),
    index('tasks_active_idx').on(table.status).where(sql`${table.status} in ('queued', 'running')`),
  ],
);

export type TaskRow = typeof tasks.$inferSelect;
