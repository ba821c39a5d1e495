// admin.*: account administration, for admins only.

import { ZOk } from '../../schemas/common.js';
import { router } from '../../trpc/init.js';
import { adminProcedure } from '../../trpc/procedures.js';
import { restRoutes } from '../../trpc/rest-route.js';
import { ZListUsersInput, ZListUsersOutput, ZSetDisabledInput } from './schemas.js';
import { listUsers, setDisabled } from './service.js';

const rest = restRoutes('Admin');

export const adminRouter = router({
  users: router({
    list: adminProcedure
      .meta(rest.get('/api/admin/users', 'List accounts'))
      .input(ZListUsersInput)
      .output(ZListUsersOutput)
      .query(({ ctx, input }) => listUsers(ctx.deps, input)),
    setDisabled: adminProcedure
      .meta(rest.put('/api/admin/users/{userId}/disabled', 'Disable or enable an account'))
      .input(ZSetDisabledInput)
      .output(ZOk)
      .mutation(({ ctx, input }) => setDisabled(ctx.deps, ctx.caller, input)),
  }),
});
