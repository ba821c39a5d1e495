// Output of stats.overview.
import { z } from 'zod';

const ZTypeBreakdown = z.object({ mime: z.string(), count: z.number().int(), bytes: z.number().int() });

export const ZStatsOverview = z.object({
  files: z.object({
    count: z.number().int(),
    bytes: z.number().int(),
    quotaBytes: z.number().int(),
    byType: z.array(ZTypeBreakdown),
  }),
  tasks: z.object({
    byStatus: z.object({
      queued: z.number().int(),
      running: z.number().int(),
      succeeded: z.number().int(),
      failed: z.number().int(),
      cancelled: z.number().int(),
    }),
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
