// `npm start`: the API server with its database, job queue and (by default) task workers.
import './runtime-check.js';
import './gc-tuning.js';
import { startApp } from './app.js';
import { createLogger } from './logger.js';
import { loadConfigOrExit, stopOnSignals } from './process-lifecycle.js';

const config = loadConfigOrExit();
const logger = createLogger(config);
try {
  const app = await startApp({
    config,
    logger,
    onDatabaseLost: () => {
      logger.fatal('the embedded PostgreSQL is gone: stopping');
      app.stop().finally(() => process.exit(1));
    },
  });
  const readyMs = Math.round(performance.now());
  logger.info(
    { url: app.url, database: app.database.kind, readyMs },
    `docrpc listening on ${app.url} — database: ${app.database.description} — ready in ${readyMs} ms`,
  );
  stopOnSignals(logger, 'shutting down (server, job queue, database)', () => app.stop());
} catch (error) {
  logger.fatal(
    { err: error },
    `docrpc failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exitCode = 1;
}
