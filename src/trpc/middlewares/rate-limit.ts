// A per-caller rate limit any router can put on an expensive procedure, counted in Postgres.
import { enforceRateLimits, MAX_CALLER_WINDOW_SECONDS } from '../../rate-limit/rate-limit.js';
import { middleware } from '../init.js';

/**
 * `scopedProcedure('documents:write').use(perCallerRateLimit('summarize', 20, 60))`: at most 20 calls per caller per minute,
 * then RATE_LIMIT_EXCEEDED with a retry-after. Must come after the caller is known.
 */
export function perCallerRateLimit(name: string, limit: number, windowSeconds: number) {
  // Housekeeping prunes by age alone: a longer window would lose its counts part-way through.
  if (windowSeconds > MAX_CALLER_WINDOW_SECONDS) {
    throw new Error(`${name}: a rate-limit window may be at most ${MAX_CALLER_WINDOW_SECONDS} s`);
  }
  return middleware(async ({ ctx, next }) => {
    const who = ctx.caller ? `user:${ctx.caller.id}` : `ip:${ctx.client.ip}`;
    await enforceRateLimits(ctx.deps.db, [{ key: `${name}:${who}`, limit, windowSeconds }]);
    return next();
  });
}
