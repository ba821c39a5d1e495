// The procedure builders every router uses. Who may call is stated by the builder, never left to a default:
// public, session (signed-in users; API tokens refused), scoped (signed-in users and API tokens with the
// scope), admin.
import type { ApiScope } from '../db/schema/auth.js';
import { baseProcedure } from './init.js';
import { requireAdmin, requireCaller } from './middlewares/require-caller.js';
import { wsCallLog } from './middlewares/ws-call-log.js';

export const publicProcedure = baseProcedure.use(wsCallLog);

/** Signed-in users only: API tokens cannot manage sessions, passwords or other tokens. */
export const sessionProcedure = publicProcedure.use(requireCaller);

/** Signed-in users, and API tokens that carry `scope`. */
export function scopedProcedure(scope: ApiScope) {
  return sessionProcedure.meta({ scope });
}

export const adminProcedure = sessionProcedure.use(requireAdmin);
