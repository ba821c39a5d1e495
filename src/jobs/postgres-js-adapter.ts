// pg-boss's `db` option over a postgres-js client or transaction, sending pg-boss's SQL as named prepared
// statements. Its job insert is a large json_to_recordset statement: through node-postgres or drizzle it
// is parsed and planned on every send (1.6 ms of PostgreSQL CPU per job here), prepared about half
// (bench/README.md findings, "Enqueue cost").
import type { Db } from 'pg-boss';
import type postgres from 'postgres';

export function fromPostgresJs(sql: postgres.Sql | postgres.TransactionSql): Db {
  return {
    async executeSql(text, values = []) {
      const rows = await sql.unsafe(text, values as postgres.ParameterOrJSON<never>[], { prepare: true });
      return { rows };
    },
  };
}
