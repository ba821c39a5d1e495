// Composes a running docrpc from a config: database (embedded or external) → HTTP/WS server.
// Used by main.ts, by the test harness and by the benchmarks, so they all run the same thing.
import path from 'node:path';
import type { AnyTRPCRouter } from '@trpc/server';
import { appRouter } from './app-router.js';
import { warmPasswordHasher } from './auth/passwords.js';
import { deriveAuthSecrets } from './auth/secrets.js';
import { startSessionCache } from './auth/session-cache.js';
import type { Config } from './config.js';
import { type NotificationHub, startNotificationHub } from './db/notifications.js';
import { type ProvisionedDatabase, provisionDatabase } from './db/provision.js';
import type { AppDeps } from './deps.js';
import { createExtractionPool } from './extraction/pool.js';
import { createHttpServer } from './http/server.js';
import { startHousekeeping } from './jobs/housekeeping.js';
import { type ProgressBus, startProgressBus } from './jobs/progress.js';
import { type JobQueue, startJobQueue } from './jobs/queue.js';
import { startWorkers } from './jobs/worker.js';
import type { Logger } from './logger.js';
import type { BlobStore } from './storage/blob-store.js';
import { createDiskBlobStore } from './storage/disk-blob-store.js';

export interface RunningApp {
  url: string;
  port: number;
  database: ProvisionedDatabase;
  /** What the services run on; tests read live state from it (e.g. progress.watchers()). */
  deps: AppDeps;
  /** Ordered shutdown: HTTP/WS server, then the job queue, then the database. Idempotent. */
  stop(): Promise<void>;
}

/** What runs behind the transports: the deps every service receives, and how to stop them. */
export interface AppServices {
  deps: AppDeps;
  database: ProvisionedDatabase;
  /** Ordered shutdown: staged uploads, then the job queue, then the database. */
  stop(): Promise<void>;
}

export async function startApp(options: {
  config: Config;
  logger: Logger;
  /** Defaults to the app router; tests may pass it merged with extra procedures. */
  router?: AnyTRPCRouter;
  /** The embedded PostgreSQL died under us: the process should stop (and be restarted by its supervisor). */
  onDatabaseLost?: () => void;
}): Promise<RunningApp> {
  const { config, logger } = options;
  const services = await startAppServices(options);
  const { deps, database } = services;
  const http = createHttpServer({
    config,
    logger,
    router: options.router ?? appRouter,
    deps,
    readinessChecks: [
      { name: 'database', check: async () => void (await database.sql`select 1`) },
      { name: 'queue', check: async () => void (await deps.jobs.getQueues()) },
    ],
  });
  let address: Awaited<ReturnType<typeof http.listen>>;
  try {
    address = await http.listen();
  } catch (error) {
    await services.stop();
    throw error;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`,
    port: address.port,
    database,
    deps,
    stop() {
      stopping ??= (async () => {
        await http.close();
        await services.stop();
      })();
      return stopping;
    },
  };
}

/**
 * Database, job queue (and workers when this process runs them), session cache and blob store, wired into
 * AppDeps. startApp puts the HTTP/WS server in front; in-process tests call the router with these deps.
 */
export async function startAppServices(options: {
  config: Config;
  logger: Logger;
  onDatabaseLost?: () => void;
}): Promise<AppServices> {
  const { config, logger } = options;
  const database = await provisionDatabase(config, logger, options.onDatabaseLost);
  let jobs: JobQueue | undefined;
  let notifications: NotificationHub | undefined;
  let progress: ProgressBus;
  let sessionCache: Awaited<ReturnType<typeof startSessionCache>>;
  try {
    jobs = await startJobQueue(database.url, config, logger, { runsWorkers: config.jobs.workerEnabled });
    notifications = await startNotificationHub(database.url, logger);
    progress = await startProgressBus(notifications);
    sessionCache = await startSessionCache(database.db, notifications);
  } catch (error) {
    await notifications?.close();
    await jobs?.stop({ graceful: false });
    await database.shutdown();
    throw error;
  }
  const blobs = createDiskBlobStore(path.join(config.dataDir, 'blobs'));
  await sweepStagedUploads(blobs, config, logger);
  const deps: AppDeps = {
    db: database.db,
    config,
    secrets: deriveAuthSecrets(config.jwtSecret),
    blobs,
    jobs,
    progress,
    sessionCache,
    logger,
    databaseKind: database.kind,
    startedAt: new Date(),
    now: () => new Date(),
  };
  // Parsing threads start on the first extraction, so a process that runs no handlers never has any.
  const extraction = createExtractionPool(config.jobs.extractThreads, {
    maxBytesInFlight: config.jobs.extractMaxBytesInFlight,
  });
  if (config.jobs.workerEnabled) {
    await startWorkers(
      jobs,
      { ...deps, extraction, llm: config.llm, sealKey: deps.secrets.sealKey },
      config.jobs,
    );
    await startHousekeeping(jobs, deps, config);
  }
  const queue = jobs;
  const hub = notifications;
  // The dummy hash makes unknown-user logins cost what real ones cost; make it before the first one.
  await warmPasswordHasher();
  return {
    deps,
    database,
    async stop() {
      // Uploads cut off by the server's close must not leave their staged bytes for the next start.
      await blobs.close();
      progress.close();
      await hub.close();
      // Running handlers get SHUTDOWN_TIMEOUT_MS to finish; pg-boss hands back what does not.
      await queue.stop({ graceful: true, timeout: config.shutdownTimeoutMs, close: true });
      await extraction.close();
      await database.shutdown();
    },
  };
}

/** Staged bytes of uploads that a crashed process never finished; young ones may be another process's. */
async function sweepStagedUploads(blobs: BlobStore, config: Config, logger: Logger): Promise<void> {
  try {
    const removed = await blobs.sweepStaged(config.files.uploadTempMaxAgeSeconds * 1000);
    if (removed > 0) logger.info({ removed }, 'removed staged uploads left by an earlier run');
  } catch (error) {
    // Leftovers cost disk, not correctness: the server starts anyway.
    logger.warn({ err: error }, 'could not sweep staged uploads');
  }
}
