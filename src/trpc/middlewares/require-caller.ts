// Narrows ctx.caller to non-null, so handlers behind authedProcedure never need a `!`.
import { AppError } from '../../errors.js';
import { middleware } from '../init.js';

export const requireCaller = middleware(({ ctx, next }) => {
  if (!ctx.caller) throw new AppError('AUTH_REQUIRED', 'Sign in first');
  return next({ ctx: { ...ctx, caller: ctx.caller } });
});

export const requireAdmin = middleware(({ ctx, next }) => {
  if (ctx.caller?.role !== 'admin') throw new AppError('FORBIDDEN', 'Admins only');
  return next({ ctx: { ...ctx, caller: ctx.caller } });
});
