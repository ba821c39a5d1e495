// authedProcedure's check: resolves the bearer into ctx.caller (non-null by type afterwards), enforces an
// API token's scopes, and keeps subscriptions honest about expired or revoked credentials.
import { AppError } from '../../errors.js';
import { authenticate } from '../../modules/auth/authenticate.js';
import { middleware } from '../init.js';
import { guardSubscription } from './subscription-guard.js';

export const requireCaller = middleware(async ({ ctx, meta, type, next }) => {
  const caller = await authenticate(ctx.deps, ctx.bearer);
  if (caller.scopes !== null && (!meta?.scope || !caller.scopes.includes(meta.scope))) {
    throw new AppError(
      'FORBIDDEN',
      meta?.scope
        ? `This API token lacks the "${meta.scope}" scope`
        : 'API tokens cannot call this procedure',
    );
  }
  // Only what changes: tRPC merges it into ctx itself, so spreading ctx here would copy it twice per call.
  const result = await next({ ctx: { caller } });
  if (type === 'subscription' && result.ok)
    return { ...result, data: guardSubscription(ctx.deps, caller, result.data) };
  return result;
});

export const requireAdmin = middleware(({ ctx, next }) => {
  if (ctx.caller?.role !== 'admin') throw new AppError('FORBIDDEN', 'Admins only');
  return next({ ctx: { caller: ctx.caller } });
});
