// admin.*: account administration, for admins only.

import { ZOk } from '../../schemas/common.js';
import { router } from '../../trpc/init.js';
import { adminProcedure } from '../../trpc/procedures.js';
import { ZListUsersInput, ZListUsersOutput, ZSetDisabledInput } from './schemas.js';
import { listUsers, setDisabled } from './service.js';

export const adminRouter = router({
  users: router({
    list: adminProcedure
      .input(ZListUsersInput)
      .output(ZListUsersOutput)
      .query(({ ctx, input }) => listUsers(ctx.deps, input)),
    setDisabled: adminProcedure
      .input(ZSetDisabledInput)
      .output(ZOk)
      .mutation(({ ctx, input }) => setDisabled(ctx.deps, ctx.caller, input)),
  }),
});
