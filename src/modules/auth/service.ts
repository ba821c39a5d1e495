// Accounts and sessions: register, login, refresh, logout, profile, password and LLM settings.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { hashPassword, needsRehash, verifyPassword } from '../../auth/passwords.js';
import { seal } from '../../auth/secrets.js';
import { postgresError, UNIQUE_VIOLATION } from '../../db/errors.js';
import type { AppDeps, Caller, ClientInfo } from '../../deps.js';
import { AppError } from '../../errors.js';
import { enforceRateLimits } from '../../rate-limit/rate-limit.js';
import {
  countUsers,
  findCredentials,
  findProfile,
  findUserForLogin,
  insertUser,
  type ProfileRow,
  revokeSession,
  revokeSessionsOfUser,
  updatePasswordHash,
  updateProfileColumns,
} from './queries.js';
import type { SessionOutput, UserProfile } from './schemas.js';
import { rotateRefreshToken, startSession } from './sessions.js';

// Any fixed number: serialises registrations so "the first user is admin" holds under concurrency.
const REGISTRATION_LOCK = 4_242_002;

function toUserProfile(row: ProfileRow): UserProfile {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    displayName: row.displayName,
    role: row.role,
    createdAt: row.createdAt,
    settings: {
      llmApiKeyConfigured: row.llmApiKeyLast4 !== null,
      llmApiKeyLast4: row.llmApiKeyLast4,
      llmBaseUrl: row.llmBaseUrl,
      preferredModel: row.preferredModel,
      visionModel: row.visionModel,
    },
  };
}

function authRateRules(deps: AppDeps, action: string, keys: string[]) {
  const { rateLimit, rateLimitWindowSeconds } = deps.config.auth;
  return keys.map((key) => ({
    key: `${action}:${key}`,
    limit: rateLimit,
    windowSeconds: rateLimitWindowSeconds,
  }));
}

export async function register(
  deps: AppDeps,
  input: { username: string; email: string; password: string },
  client: ClientInfo,
): Promise<SessionOutput> {
  await enforceRateLimits(deps.db, authRateRules(deps, 'register', [`ip:${client.ip}`]));
  const passwordHash = await hashPassword(input.password);
  const result = await deps.db
    .transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${REGISTRATION_LOCK})`);
      const isFirst = (await countUsers(tx)) === 0;
      const role = isFirst || deps.config.auth.adminEmails.includes(input.email) ? 'admin' : 'user';
      const user = await insertUser(tx, { username: input.username, email: input.email, passwordHash, role });
      const tokens = await startSession(deps, tx, user, client);
      return { userId: user.id, tokens };
    })
    .catch((error: unknown) => {
      throw uniqueViolationToConflict(error);
    });
  deps.logger.info({ userId: result.userId }, 'user registered');
  return { user: await profileOf(deps, result.userId), ...result.tokens };
}

export async function login(
  deps: AppDeps,
  input: { login: string; password: string },
  client: ClientInfo,
): Promise<SessionOutput> {
  // The IP first: once it is refused, the attempt costs no lookup and adds no per-account row.
  await enforceRateLimits(deps.db, authRateRules(deps, 'login', [`ip:${client.ip}`]));
  const user = await findUserForLogin(deps.db, input.login);
  await enforceRateLimits(deps.db, authRateRules(deps, 'login', [loginAccountKey(user, input.login)]));
  const valid = await verifyPassword(user?.passwordHash ?? null, input.password);
  if (!user || !valid) throw new AppError('AUTH_INVALID', 'Wrong email/username or password');
  if (user.disabled) throw new AppError('AUTH_INVALID', 'This account is disabled');
  if (needsRehash(user.passwordHash)) {
    await updatePasswordHash(deps.db, user.id, await hashPassword(input.password));
  }
  const tokens = await startSession(deps, deps.db, user, client);
  return { user: await profileOf(deps, user.id), ...tokens };
}

/**
 * The per-account counter: the account's id, however it was named (username or email, any case), so
 * every spelling shares one budget. A login that names no account is counted under a digest of its
 * normalised text: it costs the same one upsert as a real account (no timing difference), is refused
 * after as many tries (no different answer), never stores what was typed (often a password typed in
 * the wrong field), and can only add a row after the IP limit let the attempt through.
 */
function loginAccountKey(user: { id: string } | undefined, login: string): string {
  if (user) return `user:${user.id}`;
  return `name:${createHash('sha256').update(login.trim().toLowerCase()).digest('base64url')}`;
}

export async function refresh(deps: AppDeps, input: { refreshToken: string }, client: ClientInfo) {
  await enforceRateLimits(deps.db, authRateRules(deps, 'refresh', [`ip:${client.ip}`]));
  const { pair } = await rotateRefreshToken(deps, input.refreshToken);
  return pair;
}

type RevokeDeps = Pick<AppDeps, 'db' | 'sessionCache'>;

export async function logout(deps: RevokeDeps, caller: Caller): Promise<{ ok: true }> {
  if (!caller.sessionId)
    throw new AppError('FORBIDDEN', 'API tokens have no session; revoke the token instead');
  await revokeSession(deps.db, caller.id, caller.sessionId, 'logout');
  deps.sessionCache.forgetSession(caller.sessionId);
  return { ok: true };
}

export async function logoutAll(deps: RevokeDeps, caller: Caller): Promise<{ ok: true }> {
  await revokeSessionsOfUser(deps.db, caller.id, 'logout all');
  deps.sessionCache.forgetUser(caller.id);
  return { ok: true };
}

export async function profileOf(deps: Pick<AppDeps, 'db'>, userId: string): Promise<UserProfile> {
  const row = await findProfile(deps.db, userId);
  if (!row) throw new AppError('RESOURCE_NOT_FOUND', 'No such user');
  return toUserProfile(row);
}

export async function updateProfile(
  deps: AppDeps,
  caller: Caller,
  input: { username?: string | undefined; displayName?: string | null | undefined },
): Promise<UserProfile> {
  await updateProfileColumns(deps.db, caller.id, {
    ...(input.username !== undefined ? { username: input.username } : {}),
    ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
  }).catch((error: unknown) => {
    throw uniqueViolationToConflict(error);
  });
  return profileOf(deps, caller.id);
}

/** Other sessions are signed out; this one stays, and API tokens (separate credentials) stay too. */
export async function changePassword(
  deps: RevokeDeps,
  caller: Caller,
  input: { current: string; next: string },
): Promise<{ ok: true }> {
  const credentials = await findCredentials(deps.db, caller.id);
  if (!credentials || !(await verifyPassword(credentials.passwordHash, input.current))) {
    throw new AppError('VALIDATION_ERROR', 'The current password is wrong', {
      fieldErrors: { current: ['is wrong'] },
    });
  }
  const nextHash = await hashPassword(input.next);
  await deps.db.transaction(async (tx) => {
    await updatePasswordHash(tx, caller.id, nextHash);
    await revokeSessionsOfUser(tx, caller.id, 'password changed', caller.sessionId ?? undefined);
  });
  deps.sessionCache.forgetUser(caller.id);
  return { ok: true };
}

export async function updateSettings(
  deps: AppDeps,
  caller: Caller,
  input: {
    llmApiKey?: string | null | undefined;
    llmBaseUrl?: string | null | undefined;
    preferredModel?: string | null | undefined;
    visionModel?: string | null | undefined;
  },
): Promise<UserProfile> {
  if (input.llmBaseUrl) assertAllowedLlmBaseUrl(deps, input.llmBaseUrl);
  await updateProfileColumns(deps.db, caller.id, {
    ...(input.llmApiKey !== undefined
      ? {
          llmApiKeyEncrypted: input.llmApiKey === null ? null : seal(deps.secrets.sealKey, input.llmApiKey),
          llmApiKeyLast4: input.llmApiKey === null ? null : input.llmApiKey.slice(-4),
        }
      : {}),
    ...(input.llmBaseUrl !== undefined ? { llmBaseUrl: input.llmBaseUrl } : {}),
    ...(input.preferredModel !== undefined ? { preferredModel: input.preferredModel } : {}),
    ...(input.visionModel !== undefined ? { visionModel: input.visionModel } : {}),
  });
  return profileOf(deps, caller.id);
}

/** In production the server would call this URL on the user's behalf: only listed origins (no SSRF). */
function assertAllowedLlmBaseUrl(deps: AppDeps, url: string): void {
  if (deps.config.env !== 'production') return;
  if (!deps.config.auth.llmBaseUrlAllowlist.includes(new URL(url).origin)) {
    throw new AppError('VALIDATION_ERROR', 'This LLM endpoint is not allowed on this server', {
      fieldErrors: { llmBaseUrl: ['is not in LLM_BASE_URL_ALLOWLIST'] },
    });
  }
}

function uniqueViolationToConflict(error: unknown): unknown {
  const pg = postgresError(error);
  if (pg?.code !== UNIQUE_VIOLATION) return error;
  const field = pg.constraint?.includes('email') ? 'email' : 'username';
  return new AppError('CONFLICT', `That ${field} is already taken`, {
    fieldErrors: { [field]: ['is already taken'] },
  });
}
