// pg-boss, in its own schema next to the app's tables: queues per task type, created at boot.
import { PgBoss } from 'pg-boss';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { queueName, taskDefinitions } from './registry.js';

export type JobQueue = PgBoss;

export const JOB_SCHEMA = 'pgboss';

export async function startJobQueue(
  url: string,
  config: Config,
  logger: Logger,
  /** Whether this process runs handlers (and so housekeeping, whose cron pass it then also runs). */
  options: { runsWorkers?: boolean } = {},
): Promise<JobQueue> {
  const boss = new PgBoss({
    connectionString: url,
    schema: JOB_SCHEMA,
    max: config.jobs.poolMax,
    // A worker that died holds its job until the job expires AND a supervise pass runs: keep that pass
    // frequent so a crash is recovered in seconds, not the default minute.
    superviseIntervalSeconds: config.jobs.superviseIntervalSeconds,
    // Expiry and heartbeat failures run in the monitor pass, gated by this interval (default 60 s).
    monitorIntervalSeconds: config.jobs.superviseIntervalSeconds,

    useListenNotify: true,
    // The cron pass that sends housekeeping jobs: only where they are worked. pg-boss makes sure one
    // instance at a time sends each occurrence.
    schedule: options.runsWorkers ?? false,
  });
  boss.on('error', (error: unknown) => logger.error({ err: error }, 'job queue error'));
  boss.on('warning', (warning: unknown) => logger.warn({ warning }, 'job queue warning'));
  await boss.start();
  for (const definition of taskDefinitions) {
    const options = {
      retryLimit: definition.retryLimit,
      retryDelay: 1,
      retryBackoff: true,
      expireInSeconds: definition.expireInSeconds,
      heartbeatSeconds: definition.heartbeatSeconds,

      notify: true,
    };
    const name = queueName(definition.type);
    if (await boss.getQueue(name)) await boss.updateQueue(name, options);
    else await boss.createQueue(name, options);
  }
  return boss;
}
