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
