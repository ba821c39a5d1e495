// The procedure builders every router uses: public, authed (caller required) and admin.
import { baseProcedure } from './init.js';
import { requireAdmin, requireCaller } from './middlewares/require-caller.js';
import { wsCallLog } from './middlewares/ws-call-log.js';

export const publicProcedure = baseProcedure.use(wsCallLog);
export const authedProcedure = publicProcedure.use(requireCaller);
export const adminProcedure = authedProcedure.use(requireAdmin);
