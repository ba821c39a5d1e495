// Something made once per database handle (a prepared statement, a batching loader) and reused for every
// call on that handle; a WeakMap, so a closed handle takes its entries with it.
import type { Database } from './client.js';

export function perDatabase<T>(make: (db: Database) => T): (db: Database) => T {
  const byDb = new WeakMap<Database, T>();
  return (db) => {
    let made = byDb.get(db);
    if (!made) {
      made = make(db);
      byDb.set(db, made);
    }
    return made;
  };
}
