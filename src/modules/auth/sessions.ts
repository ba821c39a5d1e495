// Sessions: sign-in issues an access token and a refresh token; refresh rotates the refresh token and
// treats a second use of a spent one as theft (the whole family is revoked).

import type { z } from 'zod';
import { issueAccessToken } from '../../auth/access-tokens.js';
import { hashToken, newRefreshToken } from '../../auth/tokens.js';
import type { Db } from '../../db/client.js';
import type { AppDeps, ClientInfo } from '../../deps.js';
import { AppError } from '../../errors.js';
import {
  findRefreshTokenForUpdate,
  insertRefreshToken,
  insertSession,
  markRefreshTokenUsed,
  revokeSession,
  touchSession,
} from './queries.js';
import type { ZTokenPair } from './schemas.js';

export type TokenPair = z.infer<typeof ZTokenPair>;

type SessionDeps = Pick<AppDeps, 'config' | 'secrets' | 'now'>;

export async function startSession(
  deps: SessionDeps,
  db: Db,
  user: { id: string; tokenVersion: number },
  client: ClientInfo,
): Promise<TokenPair> {
  const now = deps.now();
  const refreshTokenExpiresAt = new Date(now.getTime() + deps.config.auth.refreshTokenTtlDays * 86_400_000);
  const session = await insertSession(db, {
    userId: user.id,
    expiresAt: refreshTokenExpiresAt,
    userAgent: client.userAgent?.slice(0, 300) ?? null,
    ip: client.ip,
  });
  return issuePair(
    deps,
    db,
    { userId: user.id, sessionId: session.id, version: user.tokenVersion },
    refreshTokenExpiresAt,
  );
}

/** Spends the presented refresh token and issues a new pair in the same session (family). */
export async function rotateRefreshToken(
  deps: SessionDeps & Pick<AppDeps, 'db' | 'sessionCache' | 'logger'>,
  presented: string,
) {
  const outcome = await deps.db.transaction(async (tx) => {
    const row = await findRefreshTokenForUpdate(tx, hashToken(presented));
    if (!row) return { kind: 'invalid' as const };
    if (row.usedAt !== null) {
      // Reuse of a spent token: someone holds a copy. End the family for both holders.
      await revokeSession(tx, row.userId, row.sessionId, 'refresh token reuse');
      return { kind: 'reused' as const, userId: row.userId, sessionId: row.sessionId };
    }
    const now = deps.now();
    if (
      row.sessionRevokedAt !== null ||
      row.disabled ||
      row.expiresAt <= now ||
      row.sessionExpiresAt <= now
    ) {
      return { kind: 'invalid' as const };
    }
    await markRefreshTokenUsed(tx, row.id);
    await touchSession(tx, row.sessionId);
    const pair = await issuePair(
      deps,
      tx,
      { userId: row.userId, sessionId: row.sessionId, version: row.tokenVersion },
      row.sessionExpiresAt,
    );
    return { kind: 'rotated' as const, pair, userId: row.userId };
  });
  if (outcome.kind === 'reused') {
    deps.sessionCache.forgetSession(outcome.sessionId);
    deps.logger.warn(
      { userId: outcome.userId, sessionId: outcome.sessionId },
      'refresh token reused: session revoked',
    );
  }
  if (outcome.kind !== 'rotated') throw new AppError('AUTH_INVALID', 'Invalid refresh token; sign in again');
  return outcome;
}

async function issuePair(
  deps: SessionDeps,
  db: Db,
  claims: { userId: string; sessionId: string; version: number },
  refreshTokenExpiresAt: Date,
): Promise<TokenPair> {
  const refreshToken = newRefreshToken();
  await insertRefreshToken(db, {
    sessionId: claims.sessionId,
    tokenHash: hashToken(refreshToken),
    expiresAt: refreshTokenExpiresAt,
  });
  const access = await issueAccessToken(
    deps.secrets.jwtKey,
    claims,
    deps.config.auth.accessTokenTtlSeconds,
    deps.now(),
  );
  return {
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken,
    refreshTokenExpiresAt,
  };
}
