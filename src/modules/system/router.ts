// system.*: what this server is (version, uptime, database kind).
import { router } from '../../trpc/init.js';
import { publicProcedure } from '../../trpc/procedures.js';
import { restRoutes } from '../../trpc/rest-route.js';
import { ZSystemInfoOutput } from './schemas.js';
import { getSystemInfo } from './service.js';

const rest = restRoutes('System');

export const systemRouter = router({
  info: publicProcedure
    .meta(rest.get('/api/system', 'What this server is', { public: true }))
    .output(ZSystemInfoOutput)
    .query(({ ctx }) => getSystemInfo(ctx.deps)),
});
