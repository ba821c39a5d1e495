// stats.*: usage figures for the caller (and the whole server for admins).
import { router } from '../../trpc/init.js';
import { scopedProcedure } from '../../trpc/procedures.js';
import { ZStatsOverview } from './schemas.js';
import { getOverview } from './service.js';

export const statsRouter = router({
  overview: scopedProcedure('files:read')
    .output(ZStatsOverview)
    .query(({ ctx }) => getOverview(ctx.deps, ctx.caller)),
});
