// Upkeep on a schedule, run by the processes that run task handlers: today, dropping rate-limit counters
// whose window has ended, so rate_limits holds about the last hour of traffic, not all of it.
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { MAX_CALLER_WINDOW_SECONDS, pruneRateLimits } from '../rate-limit/rate-limit.js';
import type { JobQueue } from './queue.js';

export const HOUSEKEEPING_QUEUE = 'housekeeping';

/** Every 10 minutes: frequent enough that the table stays small, rare enough to cost nothing. */
export const HOUSEKEEPING_CRON = '*/10 * * * *';

const QUEUE_OPTIONS = {
  // A missed or failed run is simply done by the next one.
  retryLimit: 0,
  expireInSeconds: 300,
  deleteAfterSeconds: 24 * 3600,
  notify: true,
};

type HousekeepingDeps = { db: Database; logger: Logger };

/**
 * Creates the queue, (re)writes its schedule and works it. Safe in every worker process at once:
 * `schedule` upserts one row by name, pg-boss's cron pass sends each occurrence once whichever instance
 * runs it, and the job goes to one worker.
 */
export async function startHousekeeping(boss: JobQueue, deps: HousekeepingDeps, config: Config) {
  if (await boss.getQueue(HOUSEKEEPING_QUEUE)) await boss.updateQueue(HOUSEKEEPING_QUEUE, QUEUE_OPTIONS);
  else await boss.createQueue(HOUSEKEEPING_QUEUE, QUEUE_OPTIONS);
  await boss.schedule(HOUSEKEEPING_QUEUE, HOUSEKEEPING_CRON);
  await boss.work(HOUSEKEEPING_QUEUE, async () => {
    await runHousekeeping(deps, config);
  });
}

async function runHousekeeping(deps: HousekeepingDeps, config: Config): Promise<void> {
  // Rows carry no window of their own: keep them as long as the longest window any rule may have.
  const retentionSeconds = Math.max(config.auth.rateLimitWindowSeconds, MAX_CALLER_WINDOW_SECONDS);
  const pruned = await pruneRateLimits(deps.db, retentionSeconds);
  deps.logger.info({ pruned }, 'housekeeping: expired rate-limit counters removed');
}
