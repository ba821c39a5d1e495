// `npm run worker`: task handlers only (no HTTP), so operators can run N of them against one Postgres.
import './runtime-check.js';
import path from 'node:path';
import { deriveAuthSecrets } from './auth/secrets.js';
import { provisionDatabase } from './db/provision.js';
import { createExtractionPool } from './extraction/pool.js';
import { startHousekeeping } from './jobs/housekeeping.js';
import { startJobQueue } from './jobs/queue.js';
import { startWorkers } from './jobs/worker.js';
import { createLogger } from './logger.js';
import { loadConfigOrExit, stopOnSignals } from './process-lifecycle.js';
import { createDiskBlobStore } from './storage/disk-blob-store.js';

const config = loadConfigOrExit();
if (!config.databaseUrl) {
  // The embedded database belongs to the `npm start` process, which already runs the handlers itself.
  process.stderr.write(
    'npm run worker needs DATABASE_URL (with the embedded database, npm start runs the worker)\n',
  );
  process.exit(1);
}

const logger = createLogger(config);
const database = await provisionDatabase(config, logger);
const jobs = await startJobQueue(database.url, config, logger, { runsWorkers: true });
const extraction = createExtractionPool(config.jobs.extractThreads, {
  maxBytesInFlight: config.jobs.extractMaxBytesInFlight,
});
const blobs = createDiskBlobStore(path.join(config.dataDir, 'blobs'));
const { sealKey } = deriveAuthSecrets(config.jwtSecret);
await startWorkers(
  jobs,
  { db: database.db, logger, blobs, extraction, llm: config.llm, sealKey },
  config.jobs,
);
await startHousekeeping(jobs, { db: database.db, logger }, config);
logger.info(
  `docrpc worker running (concurrency ${config.jobs.workerConcurrency}) — database: ${database.description}`,
);
stopOnSignals(
  logger,
  `finishing running tasks (up to ${config.shutdownTimeoutMs} ms), then stopping`,
  async () => {
    await jobs.stop({ graceful: true, timeout: config.shutdownTimeoutMs, close: true });
    await extraction.close();
    await database.shutdown();
  },
);
