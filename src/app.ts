// Composes a running docrpc from a config: database (embedded or external) → HTTP/WS server.
// Used by main.ts, by the test harness and by the benchmarks, so they all run the same thing.
import path from 'node:path';
import type { AnyTRPCRouter } from '@trpc/server';
import { appRouter } from './app-router.js';
import type { Config } from './config.js';
import { type ProvisionedDatabase, provisionDatabase } from './db/provision.js';
import { createHttpServer } from './http/server.js';
import type { Logger } from './logger.js';
import { warmPasswordHasher } from './modules/auth/passwords.js';
import { deriveAuthSecrets } from './modules/auth/secrets.js';
import { createDiskBlobStore } from './storage/disk-blob-store.js';

import type { AppDeps } from './trpc/context.js';

export interface RunningApp {
  url: string;
  port: number;
  database: ProvisionedDatabase;
  /** Ordered shutdown: HTTP/WS server, then (later) the job queue, then the database. Idempotent. */
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
  const database = await provisionDatabase(config, logger, options.onDatabaseLost);
  const deps: AppDeps = {
    db: database.db,
    config,
    secrets: deriveAuthSecrets(config.jwtSecret),
    blobs: createDiskBlobStore(path.join(config.dataDir, 'blobs')),
    logger,
    databaseKind: database.kind,
    startedAt: new Date(),
    now: () => new Date(),
  };
  const http = createHttpServer({
    config,
    logger,
    router: options.router ?? appRouter,
    deps,
    readinessChecks: [{ name: 'database', check: async () => void (await database.sql`select 1`) }],
  });
  // The dummy hash makes unknown-user logins cost what real ones cost; make it before the first one.
  await warmPasswordHasher();
  let address: Awaited<ReturnType<typeof http.listen>>;

  try {
    address = await http.listen();
  } catch (error) {
    await database.shutdown();
    throw error;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`,
    port: address.port,
    database,
    stop() {
      stopping ??= (async () => {
        await http.close();
        await database.shutdown();
      })();
      return stopping;
    },
  };
}
