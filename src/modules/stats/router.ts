// stats.*: usage figures for the caller (and the whole server for admins).
import { router } from '../../trpc/init.js';
import { scopedProcedure } from '../../trpc/procedures.js';
import { restRoutes } from '../../trpc/rest-route.js';
import { ZStatsOverview } from './schemas.js';
import { getOverview } from './service.js';

const rest = restRoutes('Stats');

export const statsRouter = router({
  overview: scopedProcedure('files:read')
    .meta(rest.get('/api/stats', 'Usage figures'))
    .output(ZStatsOverview)
    .query(({ ctx }) => getOverview(ctx.deps, ctx.caller)),
});
