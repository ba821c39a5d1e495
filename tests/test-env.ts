// The test suite's own settings (kept apart from src/config.ts, which only the app reads).

/** Point the suite at an existing PostgreSQL (superuser or CREATEDB rights) instead of an embedded one. */
export const TEST_DATABASE_URL: string | undefined = process.env.TEST_DATABASE_URL || undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    /** A connection URL to the cluster's maintenance database, used to create per-file databases. */
    adminDatabaseUrl: string;
    /** A migrated database that every test file's database is cloned from. */
    templateDatabase: string;
  }
}
