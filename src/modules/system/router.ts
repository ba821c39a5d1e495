// system.*: what this server is (version, uptime, database kind).
import { router } from '../../trpc/init.js';
import { publicProcedure } from '../../trpc/procedures.js';
import { ZSystemInfoOutput } from './schemas.js';
import { getSystemInfo } from './service.js';

export const systemRouter = router({
  info: publicProcedure.output(ZSystemInfoOutput).query(({ ctx }) => getSystemInfo(ctx.deps)),
});
