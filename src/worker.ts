// `npm run worker`: task handlers only (no HTTP), so operators can run N of them against one Postgres.
import './runtime-check.js';
import { ConfigError, loadConfig } from './config.js';
import { provisionDatabase } from './db/provision.js';
import { startJobQueue } from './jobs/queue.js';
import { startWorkers } from './jobs/worker.js';
import { createLogger } from './logger.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
if (!config.databaseUrl) {
  // The embedded database belongs to the `npm start` process, which already runs the handlers itself.
  process.stderr.write(
    'npm run worker needs DATABASE_URL (with the embedded database, npm start runs the worker)\n',
  );
  process.exit(1);
}

const logger = createLogger(config);
const database = await provisionDatabase(config, logger);
const jobs = await startJobQueue(database.url, config, logger);
await startWorkers(jobs, { db: database.db, logger }, { concurrency: config.jobs.workerConcurrency });
logger.info(
  `docrpc worker running (concurrency ${config.jobs.workerConcurrency}) — database: ${database.description}`,
);

let stopping = false;
const shutdown = (signal: NodeJS.Signals) => {
  if (stopping) process.exit(130);
  stopping = true;
  logger.info(`${signal}: finishing running tasks (up to ${config.shutdownTimeoutMs} ms), then stopping`);
  jobs
    .stop({ graceful: true, timeout: config.shutdownTimeoutMs, close: true })
    .then(() => database.shutdown())
    .then(
      () => {
        logger.info('worker stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'worker shutdown failed');
        process.exit(1);
      },
    );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
