// Output of stats.overview.
import { z } from 'zod';
import type { TaskStatus } from '../../db/schema/tasks.js';

const ZTypeBreakdown = z.object({ mime: z.string(), count: z.number().int(), bytes: z.number().int() });

export const ZStatsOverview = z.object({
  files: z.object({
    count: z.number().int(),
    bytes: z.number().int(),
    quotaBytes: z.number().int(),
    byType: z.array(ZTypeBreakdown),
  }),
  tasks: z.object({
    /** Every status, 0 when the user has no task in it. */
    // An object of named keys rather than z.record(enum): the same type, and a JSON Schema that lists the keys.
    byStatus: z.object({
      queued: z.number().int(),
      running: z.number().int(),
      succeeded: z.number().int(),
      failed: z.number().int(),
      cancelled: z.number().int(),
    } satisfies Record<TaskStatus, z.ZodNumber>),
    /** Mean wall time of succeeded tasks, per type. */
    meanRunSecondsByType: z.array(
      z.object({ type: z.string(), count: z.number().int(), meanSeconds: z.number() }),
    ),
  }),
  documents: z.object({
    count: z.number().int(),
    words: z.number().int(),
    summaries: z.number().int(),
  }),
  /** LLM tokens spent, also by runs that failed or were cancelled part-way (the built-in summariser spends none). */
  tokens: z.object({
    promptTokens: z.number().int(),
    completionTokens: z.number().int(),
    calls: z.number().int(),
    byModel: z.array(
      z.object({
        model: z.string(),
        promptTokens: z.number().int(),
        completionTokens: z.number().int(),
        calls: z.number().int(),
      }),
    ),
  }),
  /** Whole-server figures, for admins only (null for everyone else). */

  totals: z
    .object({
      users: z.number().int(),
      files: z.number().int(),
      bytes: z.number().int(),
      storedBytes: z.number().int(),
    })
    .nullable(),
});
export type StatsOverview = z.infer<typeof ZStatsOverview>;
