// Input and output schemas of the system procedures, exported for the client.
import { z } from 'zod';
import { ZTimestamp } from '../../schemas/common.js';

export const ZSystemInfoOutput = z.object({
  name: z.string(),
  version: z.string(),
  uptimeSeconds: z.number().nonnegative(),
  startedAt: ZTimestamp,
  serverTime: ZTimestamp,
  database: z.object({ kind: z.enum(['embedded', 'external']) }),
});

export type SystemInfo = z.infer<typeof ZSystemInfoOutput>;
