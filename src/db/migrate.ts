// Applies the committed drizzle-kit migrations; safe when several processes boot at once.
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

/** Same relative path from src/db and dist/db. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

// Any fixed 64-bit number, the same in every process of this app.
const MIGRATION_LOCK_KEY = 4_242_001;

/**
 * Runs migrations on one dedicated connection holding a session advisory lock, so API and worker
 * processes started together against one managed Postgres never race each other's DDL.
 */
export async function runMigrations(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migrate(drizzle(sql), { migrationsFolder: MIGRATIONS_DIR });
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
