// Fixed-window rate limits in one Postgres table, shared by every API process (no Redis).
//
// Chosen over rate-limiter-flexible: its Postgres store needs the `pg` driver (we use postgres-js),
// and one atomic upsert per check is all a fixed window needs.
import { lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { rateLimits } from '../db/schema/index.js';
import { AppError } from '../errors.js';

export interface RateLimitRule {
  /** What is counted, e.g. `login:ip:203.0.113.7`. */
  key: string;
  limit: number;
  windowSeconds: number;
}

export interface RateLimitVerdict {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

/** Counts one hit and says whether it fits. One round trip; concurrent hits on one key serialise on its row. */
export async function consumeRateLimit(db: Database, rule: RateLimitRule): Promise<RateLimitVerdict> {
  const window = sql`make_interval(secs => ${rule.windowSeconds})`;
  const [row] = await db
    .insert(rateLimits)
    .values({ key: rule.key, windowStart: sql`now()`, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.windowStart} + ${window} <= now() then 1 else ${rateLimits.count} + 1 end`,
        windowStart: sql`case when ${rateLimits.windowStart} + ${window} <= now() then now() else ${rateLimits.windowStart} end`,
      },
    })
    .returning({
      count: rateLimits.count,
      retryAfter: sql<number>`greatest(1, ceil(extract(epoch from (${rateLimits.windowStart} + ${window} - now()))))::int`,
    });
  const count = row?.count ?? 1;
  return {
    allowed: count <= rule.limit,
    remaining: Math.max(0, rule.limit - count),
    retryAfterSeconds: row?.retryAfter ?? rule.windowSeconds,
  };
}

/** Throws RATE_LIMIT_EXCEEDED (with retry-after) when any rule is exhausted; every rule is counted. */
export async function enforceRateLimits(db: Database, rules: RateLimitRule[]): Promise<void> {
  const verdicts = await Promise.all(rules.map((rule) => consumeRateLimit(db, rule)));
  const refused = verdicts.filter((verdict) => !verdict.allowed);
  if (refused.length === 0) return;
  const retryAfterSeconds = Math.max(...refused.map((verdict) => verdict.retryAfterSeconds));
  throw new AppError('RATE_LIMIT_EXCEEDED', `Too many attempts; try again in ${retryAfterSeconds} s`, {
    retryAfterSeconds,
  });
}

/**
 * The longest window a per-caller rule may have. Rows carry no window of their own, so housekeeping
 * keeps every row this long (or the auth window, when longer): any older row's window has ended.
 */
export const MAX_CALLER_WINDOW_SECONDS = 3600;

/** Drops counters whose window started more than `olderThanSeconds` ago; returns how many. */
export async function pruneRateLimits(db: Database, olderThanSeconds: number): Promise<number> {
  const result = await db
    .delete(rateLimits)
    .where(lt(rateLimits.windowStart, sql`now() - make_interval(secs => ${olderThanSeconds})`));
  return result.count;
}
