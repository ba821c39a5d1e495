// What PostgreSQL said about a failed statement. Drizzle wraps the driver's error (DrizzleQueryError) with
// the driver's in `cause`; code paths that turn a constraint into an answer read it here, one way.
export interface PostgresErrorInfo {
  /** SQLSTATE, e.g. 23505 (unique violation), 23503 (foreign key violation). */
  code: string;
  constraint: string | undefined;
}

export function postgresError(error: unknown): PostgresErrorInfo | undefined {
  for (const candidate of [error, (error as { cause?: unknown } | null)?.cause]) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const { code, constraint_name } = candidate as { code?: unknown; constraint_name?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
      return { code, constraint: typeof constraint_name === 'string' ? constraint_name : undefined };
    }
  }
  return undefined;
}

export const FOREIGN_KEY_VIOLATION = '23503';
export const UNIQUE_VIOLATION = '23505';
