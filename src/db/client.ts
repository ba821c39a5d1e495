// The database handle: postgres-js (fast, pipelining, prepared statements) wrapped by Drizzle.
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema/index.js';

/** Drizzle, with the postgres-js client under it (`$client`) for the few hot statements sent prepared. */
export type Database = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };

/** A Drizzle database or a transaction on it: what every query function takes. */
export type Db = Database | Parameters<Parameters<Database['transaction']>[0]>[0];

export interface DatabaseHandle {
  db: Database;
  /** The raw postgres-js client, for health checks and (later) LISTEN/NOTIFY. */
  sql: postgres.Sql;
  close(timeoutSeconds?: number): Promise<void>;
}

export function connectDatabase(
  url: string,
  options: { max: number; applicationName?: string },
): DatabaseHandle {
  const sql = postgres(url, {
    max: options.max,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? 'docrpc' },
  });
  return { db: databaseOn(sql), sql, close: (timeoutSeconds = 5) => sql.end({ timeout: timeoutSeconds }) };
}

/** Drizzle with docrpc's schema over a postgres-js client. */
export function databaseOn(sql: postgres.Sql): Database {
  return drizzle(sql, { schema });
}
