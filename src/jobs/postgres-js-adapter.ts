// The postgres-js connection under a Drizzle handle, and pg-boss's `db` option over it. Task rows and their
// jobs are written in one Drizzle transaction (`db.transaction`, the project's one style); through this
// adapter pg-boss sends on that transaction's connection, as named prepared statements. Its job insert is a
// large json_to_recordset statement: through drizzle's `execute` (pg-boss's own fromDrizzle) it is parsed
// and planned on every send (1.6 ms of PostgreSQL CPU per job here), prepared about half (bench/README.md
// findings, "Enqueue cost", 766a3fb: 343 → 825 enqueues/s).
import { is } from 'drizzle-orm';
import { PostgresJsSession } from 'drizzle-orm/postgres-js';
import type { Db as JobQueueDb } from 'pg-boss';
import type postgres from 'postgres';
import type { Db } from '../db/client.js';

/** The postgres-js client (pool or open transaction) a Drizzle database or transaction runs on. */
export function postgresJsOf(db: Db): postgres.ISql {
  const { session } = db._;
  if (!is(session, PostgresJsSession)) throw new Error('expected a Drizzle handle over postgres-js');
  return session.client;
}

/** pg-boss's `db` option for `send` inside a Drizzle transaction: the job commits or rolls back with it. */
export function jobQueueDb(db: Db): JobQueueDb {
  const sql = postgresJsOf(db);
  return {
    async executeSql(text, values = []) {
      const rows = await sql.unsafe(text, values as postgres.ParameterOrJSON<never>[], { prepare: true });
      return { rows };
    },
  };
}
