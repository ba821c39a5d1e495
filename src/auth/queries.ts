// The SQL the auth mechanism runs on every authenticated call: a session's standing, an API token's owner.
// These are the hottest queries in the product, so each is a prepared statement made once per database handle.
import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Database, Db } from '../db/client.js';
import { perDatabase } from '../db/per-database.js';
import { apiTokens, sessions, users } from '../db/schema/index.js';

/** What an access token's claims must still match: the user enabled, same version, session alive. */
function selectSessionCaller(db: Database) {
  return db
    .select({
      role: users.role,
      disabled: users.disabled,
      tokenVersion: users.tokenVersion,
      revokedAt: sessions.revokedAt,
      expiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(eq(sessions.id, sql.placeholder('sessionId')), eq(sessions.userId, sql.placeholder('userId'))),
    );
}

// Runs on every authenticated call: prepared once per database handle. Drizzle otherwise sends unnamed,
// unprepared statements, parsed and planned each time (bench/README.md findings, "file.list with every
// query prepared": the session query unprepared cost +1342 µs CPU per request, prepared +59).
const sessionCallerQuery = perDatabase((db) => selectSessionCaller(db).prepare('auth_session_caller'));

export async function findSessionCaller(db: Database, userId: string, sessionId: string) {
  const [row] = await sessionCallerQuery(db).execute({ sessionId, userId });
  return row;
}

/** Not revoked, not expired, and its owner not disabled. */
const usableApiToken = and(
  isNull(apiTokens.revokedAt),
  eq(users.disabled, false),
  or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`)),
);

// Every call made with an API token runs one of these: prepared once per database handle, like the
// session lookup (drizzle otherwise builds the SQL and sends it unprepared on each call).
const apiTokenCallerQuery = perDatabase((db) =>
  db
    .select({
      tokenId: apiTokens.id,
      scopes: apiTokens.scopes,
      userId: users.id,
      role: users.role,
      lastUsedAt: apiTokens.lastUsedAt,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, sql.placeholder('tokenHash')), usableApiToken))
    .prepare('auth_api_token_caller'),
);

/** A usable API token and its owner, by the secret's hash. */
export async function findApiTokenCaller(db: Database, tokenHash: string) {
  const [row] = await apiTokenCallerQuery(db).execute({ tokenHash });
  return row;
}

const apiTokenByIdQuery = perDatabase((db) =>
  db
    .select({ userId: users.id, role: users.role })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.id, sql.placeholder('tokenId')), usableApiToken))
    .prepare('auth_api_token_by_id'),
);

export async function findApiTokenById(db: Database, tokenId: string) {
  const [row] = await apiTokenByIdQuery(db).execute({ tokenId });
  return row;
}

export async function touchApiToken(db: Db, tokenId: string) {
  await db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.id, tokenId));
}
