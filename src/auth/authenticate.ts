// Turns a bearer token (access JWT or `drpc_` API token) into a Caller, or refuses it with a clear code.

import type { AppDeps, Caller } from '../deps.js';
import { AppError } from '../errors.js';
import { verifyAccessToken } from './access-tokens.js';
import { findApiTokenById, findApiTokenCaller, touchApiToken } from './queries.js';
import type { SessionCallerRow } from './session-cache.js';
import { API_TOKEN_PREFIX, hashToken } from './tokens.js';

type AuthDeps = Pick<AppDeps, 'db' | 'sessionCache' | 'secrets' | 'now'>;

// last_used_at is informational: writing it once a minute per token is plenty.
const API_TOKEN_TOUCH_INTERVAL_MS = 60_000;

export async function authenticate(deps: AuthDeps, bearer: string | null): Promise<Caller> {
  if (!bearer) throw new AppError('AUTH_REQUIRED', 'Sign in first (Authorization: Bearer …)');
  if (bearer.startsWith(API_TOKEN_PREFIX)) return authenticateApiToken(deps, bearer);
  const claims = await verifyAccessToken(deps.secrets.jwtKey, bearer, deps.now());
  const row = await deps.sessionCache.find(claims.userId, claims.sessionId);
  if (!row || !sessionStands(row, deps.now()) || row.tokenVersion !== claims.version) {
    throw new AppError('AUTH_INVALID', 'This session has ended; sign in again');
  }
  return {
    id: claims.userId,
    role: row.role,
    kind: 'session',
    sessionId: claims.sessionId,
    apiTokenId: null,
    scopes: null,
    expiresAt: claims.expiresAt,
  };
}

async function authenticateApiToken(deps: AuthDeps, secret: string): Promise<Caller> {
  const row = await findApiTokenCaller(deps.db, hashToken(secret));
  if (!row) throw new AppError('AUTH_INVALID', 'Invalid, expired or revoked API token');
  if (!row.lastUsedAt || deps.now().getTime() - row.lastUsedAt.getTime() > API_TOKEN_TOUCH_INTERVAL_MS) {
    await touchApiToken(deps.db, row.tokenId);
  }
  return {
    id: row.userId,
    role: row.role,
    kind: 'apiToken',
    sessionId: null,
    apiTokenId: row.tokenId,
    scopes: row.scopes,
    expiresAt: null,
  };
}

/** What a later check needs of the credential a caller used (a subscription's, or a download link's). */
export type CallerCredential = Pick<Caller, 'id' | 'kind' | 'sessionId' | 'apiTokenId' | 'expiresAt'>;

/** For long-lived subscriptions and issued download links: does the credential they came from still stand? */
export async function isCallerStillValid(deps: AuthDeps, caller: CallerCredential): Promise<boolean> {
  if (caller.expiresAt && caller.expiresAt <= deps.now()) return false;
  if (caller.kind === 'apiToken' && caller.apiTokenId) {
    return (await findApiTokenById(deps.db, caller.apiTokenId)) !== undefined;
  }
  if (!caller.sessionId) return false;
  const row = await deps.sessionCache.find(caller.id, caller.sessionId);
  return row !== undefined && sessionStands(row, deps.now());
}

/** The user is enabled and the session neither revoked nor expired. */
function sessionStands(row: SessionCallerRow, now: Date): boolean {
  return !row.disabled && row.revokedAt === null && row.expiresAt > now;
}
