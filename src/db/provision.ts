// Chooses the database: DATABASE_URL when set, else the embedded PostgreSQL; then applies migrations.
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { connectDatabase, type DatabaseHandle } from './client.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded/embedded.js';
import { runMigrations } from './migrate.js';

export type DatabaseKind = 'embedded' | 'external';

export interface ProvisionedDatabase extends DatabaseHandle {
  kind: DatabaseKind;
  /** For other clients of the same database (pg-boss). Holds the password: never log it. */
  url: string;
  /** Safe to print: the host and database, never the password. */
  description: string;
  /** The embedded cluster's real directory (it may sit outside DATA_DIR when running as root). */
  embeddedClusterDir: string | undefined;
  /** Closes the pool, then stops the embedded server if we started one. */
  shutdown(): Promise<void>;
}

export async function provisionDatabase(
  config: Config,
  logger: Logger,
  onDatabaseLost?: () => void,
): Promise<ProvisionedDatabase> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      logger,
      ...(onDatabaseLost ? { onUnexpectedExit: onDatabaseLost } : {}),
    });
    url = embedded.url;
  }
  try {
    await runMigrations(url);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const handle = connectDatabase(url, { max: config.databasePoolMax });
  const description = embedded
    ? `embedded PostgreSQL, data in ${embedded.clusterDir}, port ${embedded.port}`
    : `external PostgreSQL at ${describeUrl(url)}`;
  return {
    ...handle,
    kind: embedded ? 'embedded' : 'external',
    url,

    description,
    embeddedClusterDir: embedded?.clusterDir,

    async shutdown() {
      await handle.close();
      await embedded?.stop();
    },
  };
}

function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}
