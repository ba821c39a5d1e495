// The signed-in procedures' check: resolves the bearer into ctx.caller (non-null by type afterwards), enforces
// an API token's scope (or refuses API tokens where the procedure names none), and keeps subscriptions honest about expired or revoked credentials.

import { authorize } from '../../auth/bearer.js';
import { AppError } from '../../errors.js';
import { middleware } from '../init.js';
import { guardSubscription } from './subscription-guard.js';
import { releasingWhenDone } from './subscription-slots.js';

export const requireCaller = middleware(async ({ ctx, meta, type, signal, next }) => {
  const caller = await authorize(ctx.deps, ctx.bearer, meta?.scope ?? 'session');
  // Only what changes: tRPC merges it into ctx itself, so spreading ctx here would copy it twice per call.
  if (type !== 'subscription') return next({ ctx: { caller } });
  const release = ctx.subscriptionSlots?.take() ?? (() => {});
  try {
    const result = await next({ ctx: { caller } });
    if (!result.ok) {
      release();
      return result;
    }
    const guarded = guardSubscription(ctx.deps, caller, result.data);
    if (isAsyncIterable(guarded)) return { ...result, data: releasingWhenDone(guarded, release, signal) };
    // Not ours to follow (every docrpc subscription is an async generator): nothing to hold a slot for.
    release();
    return { ...result, data: guarded };
  } catch (error) {
    release();
    throw error;
  }
});

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

export const requireAdmin = middleware(({ ctx, next }) => {
  if (ctx.caller?.role !== 'admin') throw new AppError('FORBIDDEN', 'Admins only');
  return next({ ctx: { caller: ctx.caller } });
});
