// SQL of the auth module. Every query on a user's rows names that user in its `where`.
import { and, desc, eq, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { ApiScope } from '../../db/schema/auth.js';
import { apiTokens, refreshTokens, sessions, users } from '../../db/schema/index.js';
import type { Role } from '../../db/schema/users.js';

const profileColumns = {
  id: users.id,
  username: users.username,
  email: users.email,
  displayName: users.displayName,
  role: users.role,
  createdAt: users.createdAt,
  llmApiKeyLast4: users.llmApiKeyLast4,
  llmBaseUrl: users.llmBaseUrl,
  preferredModel: users.preferredModel,
  visionModel: users.visionModel,
};

export async function findProfile(db: Db, userId: string) {
  const [row] = await db.select(profileColumns).from(users).where(eq(users.id, userId));
  return row;
}

export type ProfileRow = NonNullable<Awaited<ReturnType<typeof findProfile>>>;

/** Email or username, case-insensitively; the credentials needed to check a login. */
export async function findUserForLogin(db: Db, login: string) {
  const needle = login.toLowerCase();
  const [row] = await db
    .select({
      id: users.id,
      passwordHash: users.passwordHash,
      disabled: users.disabled,
      tokenVersion: users.tokenVersion,
    })
    .from(users)
    .where(or(eq(sql`lower(${users.email})`, needle), eq(sql`lower(${users.username})`, needle)))
    .limit(1);
  return row;
}

export async function findCredentials(db: Db, userId: string) {
  const [row] = await db
    .select({ passwordHash: users.passwordHash, tokenVersion: users.tokenVersion, disabled: users.disabled })
    .from(users)
    .where(eq(users.id, userId));
  return row;
}

export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(users);
  return row?.count ?? 0;
}

export async function insertUser(
  db: Db,
  values: { username: string; email: string; passwordHash: string; role: Role },
) {
  const [row] = await db
    .insert(users)
    .values(values)
    .returning({ id: users.id, tokenVersion: users.tokenVersion });
  if (!row) throw new Error('insert into users returned nothing');
  return row;
}

export async function updatePasswordHash(db: Db, userId: string, passwordHash: string) {
  await db.update(users).set({ passwordHash, updatedAt: sql`now()` }).where(eq(users.id, userId));
}

export async function updateProfileColumns(
  db: Db,
  userId: string,
  values: Partial<{
    username: string;
    displayName: string | null;
    llmApiKeyEncrypted: string | null;
    llmApiKeyLast4: string | null;
    llmBaseUrl: string | null;
    preferredModel: string | null;
    visionModel: string | null;
  }>,
) {
  await db
    .update(users)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(users.id, userId));
}

export async function insertSession(
  db: Db,
  values: { userId: string; expiresAt: Date; userAgent: string | null; ip: string | null },
) {
  const [row] = await db.insert(sessions).values(values).returning({ id: sessions.id });
  if (!row) throw new Error('insert into sessions returned nothing');
  return row;
}

export async function insertRefreshToken(
  db: Db,
  values: { sessionId: string; tokenHash: string; expiresAt: Date },
) {
  await db.insert(refreshTokens).values(values);
}

/** The presented refresh token with its session and user, locked for the rotation that follows. */
export async function findRefreshTokenForUpdate(db: Db, tokenHash: string) {
  const [row] = await db
    .select({
      id: refreshTokens.id,
      usedAt: refreshTokens.usedAt,
      expiresAt: refreshTokens.expiresAt,
      sessionId: sessions.id,
      sessionRevokedAt: sessions.revokedAt,
      sessionExpiresAt: sessions.expiresAt,
      userId: users.id,
      disabled: users.disabled,
      tokenVersion: users.tokenVersion,
    })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .for('update', { of: refreshTokens });
  return row;
}

export async function markRefreshTokenUsed(db: Db, id: string) {
  await db.update(refreshTokens).set({ usedAt: sql`now()` }).where(eq(refreshTokens.id, id));
}

export async function touchSession(db: Db, sessionId: string) {
  await db.update(sessions).set({ lastUsedAt: sql`now()` }).where(eq(sessions.id, sessionId));
}

export async function revokeSession(db: Db, userId: string, sessionId: string, reason: string) {
  await db
    .update(sessions)
    .set({ revokedAt: sql`now()`, revokedReason: reason })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)));
}

export async function revokeSessionsOfUser(db: Db, userId: string, reason: string, exceptSessionId?: string) {
  await db
    .update(sessions)
    .set({ revokedAt: sql`now()`, revokedReason: reason })
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        exceptSessionId ? sql`${sessions.id} <> ${exceptSessionId}` : undefined,
      ),
    );
}

const apiTokenColumns = {
  id: apiTokens.id,
  name: apiTokens.name,
  tokenPrefix: apiTokens.tokenPrefix,
  scopes: apiTokens.scopes,
  createdAt: apiTokens.createdAt,
  expiresAt: apiTokens.expiresAt,
  lastUsedAt: apiTokens.lastUsedAt,
  revokedAt: apiTokens.revokedAt,
};

export async function insertApiToken(
  db: Db,
  values: {
    userId: string;
    name: string;
    tokenHash: string;
    tokenPrefix: string;
    scopes: ApiScope[];
    expiresAt: Date | null;
  },
) {
  const [row] = await db.insert(apiTokens).values(values).returning(apiTokenColumns);
  if (!row) throw new Error('insert into api_tokens returned nothing');
  return row;
}

export function listApiTokens(db: Db, userId: string) {
  return db
    .select(apiTokenColumns)
    .from(apiTokens)
    .where(eq(apiTokens.userId, userId))
    .orderBy(desc(apiTokens.createdAt));
}

/** Returns whether a live token of this user was revoked. */
export async function revokeApiToken(db: Db, userId: string, tokenId: string): Promise<boolean> {
  const rows = await db
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return rows.length > 0;
}

export async function apiTokenExists(db: Db, userId: string, tokenId: string): Promise<boolean> {
  const rows = await db
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId)));
  return rows.length > 0;
}
