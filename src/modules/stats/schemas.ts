// Output of stats.overview.
import { z } from 'zod';
import { taskStatus } from '../../db/schema/tasks.js';

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
    byStatus: z.record(z.enum(taskStatus.enumValues), z.number().int()),
    /** Mean wall time of succeeded tasks, per type. */
    meanRunSecondsByType: z.array(
      z.object({ type: z.string(), count: z.number().int(), meanSeconds: z.number() }),
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
