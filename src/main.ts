// `npm start`: the API server with its database, until SIGINT/SIGTERM.
import './runtime-check.js';
import { startApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

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

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
    logger.info(`${signal}: shutting down (server, job queue, database)`);
    app.stop().then(
      () => {
        logger.info('stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  logger.fatal(
    { err: error },
    `docrpc failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exitCode = 1;
}
