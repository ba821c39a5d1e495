// Input and output schemas of task.*, exported for the client.
import { z } from 'zod';
import { ACTIVE_TASK_STATUSES, type TaskStatus, taskStatus } from '../../db/schema/tasks.js';
import { ZDemoInput } from '../../jobs/definitions/demo.js';
import { ZText, ZTimestamp } from '../../schemas/common.js';

export const ZTaskStatus = z.enum(taskStatus.enumValues);
/** The statuses a task ends in: every status but the active ones. */
export const TERMINAL_STATUSES: readonly TaskStatus[] = ZTaskStatus.exclude(ACTIVE_TASK_STATUSES).options;

export const ZTaskOutput = z.object({
  id: z.uuid(),
  type: z.string(),
  status: ZTaskStatus,
  progress: z.number().int().min(0).max(100),
  message: z.string().nullable(),
  input: z.unknown(),
  result: z.unknown(),
  error: z.object({ appCode: z.string(), message: z.string() }).nullable(),
  attempts: z.number().int(),
  seq: z.number().int(),
  createdAt: ZTimestamp,
  /** When the row last changed (each progress() call, each status change). */
  updatedAt: ZTimestamp,
  startedAt: ZTimestamp.nullable(),
  finishedAt: ZTimestamp.nullable(),
});
export type TaskOutput = z.infer<typeof ZTaskOutput>;

export const ZListTasksInput = z.object({
  status: ZTaskStatus.optional(),
  type: ZText.max(100).optional(),
  cursor: z.uuid().optional(),
  limit: z.number().int().min(1).max(100).default(20),
});
export const ZListTasksOutput = z.object({ items: z.array(ZTaskOutput), nextCursor: z.uuid().nullable() });
export const ZCreateDemoInput = ZDemoInput;
export const ZOnProgressInput = z.object({ taskId: z.uuid(), lastEventId: ZText.max(20).optional() });
