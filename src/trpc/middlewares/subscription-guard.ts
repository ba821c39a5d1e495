// A subscription outlives the request that opened it: end it with AUTH_EXPIRED when the access token
// expires, or when a periodic re-check finds the session revoked, the user disabled or the token revoked.

import { isCallerStillValid } from '../../auth/authenticate.js';
import type { AppDeps, Caller } from '../../deps.js';
import { AppError } from '../../errors.js';

export function guardSubscription(deps: AppDeps, caller: Caller, source: unknown): unknown {
  if (!isAsyncIterable(source)) return source;
  return guarded(deps, caller, source);
}

async function* guarded(
  deps: AppDeps,
  caller: Caller,
  source: AsyncIterable<unknown>,
): AsyncGenerator<unknown> {
  const iterator = source[Symbol.asyncIterator]();
  let ended: AppError | undefined;
  let wake: (() => void) | undefined;
  const end = (error: AppError) => {
    ended ??= error;
    wake?.();
  };
  const expiry = caller.expiresAt
    ? setTimeout(
        () => end(new AppError('AUTH_EXPIRED', 'Access token expired; refresh and subscribe again')),
        Math.max(0, caller.expiresAt.getTime() - deps.now().getTime()),
      )
    : undefined;
  const recheck = setInterval(() => {
    sharedRecheck(deps, caller).then(
      (valid) => {
        if (!valid) end(new AppError('AUTH_EXPIRED', 'Your session ended; sign in and subscribe again'));
      },
      (error: unknown) => deps.logger.warn({ err: error }, 'subscription auth re-check failed'),
    );
  }, deps.config.auth.recheckMs);
  try {
    for (;;) {
      if (ended) throw ended;
      // A fresh promise per wait, not Promise.race against one long-lived "stopped" promise: every race
      // leaves a reaction on that promise, so an open subscription would keep ~350 bytes per event forever
      // (bench/README.md findings, "Subscription guard retention").
      const next = await new Promise<IteratorResult<unknown> | 'stopped'>((resolve, reject) => {
        wake = () => resolve('stopped');
        iterator.next().then(resolve, reject);
      });
      wake = undefined;
      if (next === 'stopped') throw ended ?? new AppError('AUTH_EXPIRED', 'Subscription ended');
      if (next.done) return;
      yield next.value;
    }
  } finally {
    clearTimeout(expiry);
    clearInterval(recheck);
    // Not awaited: a source blocked in its own await would hold this up; tRPC aborts its signal anyway.
    iterator.return?.()?.catch(() => {});
  }
}

/**
 * One re-check per credential and window, shared by all of its open subscriptions: a dashboard with a
 * subscription per task row would otherwise query the session once per row per interval (2,000
 * subscriptions of one session: ~130 queries/s, most of the database load in bench/tasks (c)).
 * Keyed by the token's expiry too, so a refreshed token of the same session never reuses an older verdict.
 */
const recentChecks = new Map<string, { at: number; valid: Promise<boolean> }>();

function sharedRecheck(deps: AppDeps, caller: Caller): Promise<boolean> {
  const key = `${caller.kind}:${caller.apiTokenId ?? caller.sessionId}:${caller.id}:${caller.expiresAt?.getTime()}`;
  const now = deps.now().getTime();
  const windowMs = deps.config.auth.recheckMs / 2;
  const recent = recentChecks.get(key);
  if (recent && now - recent.at < windowMs) return recent.valid;
  const entry = { at: now, valid: isCallerStillValid(deps, caller) };
  recentChecks.set(key, entry);
  const forget = () => {
    if (recentChecks.get(key) === entry) recentChecks.delete(key);
  };
  // A failed check is not reused; a finished one is dropped once its window has passed.
  entry.valid.catch(forget);
  setTimeout(forget, windowMs).unref();
  return entry.valid;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
