// Short-lived access tokens: JWTs signed with HS256 (jose), naming the user, the session and its version.
import { randomUUID, type webcrypto } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

import { AppError } from '../errors.js';

export const TOKEN_ISSUER = 'docrpc';
export const TOKEN_AUDIENCE = 'docrpc-api';

export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
  /** users.token_version when issued: bumping it revokes every outstanding token at once. */
  version: number;
  expiresAt: Date;
}

export async function issueAccessToken(
  key: webcrypto.CryptoKey,
  claims: Omit<AccessTokenClaims, 'expiresAt'>,
  ttlSeconds: number,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = new Date((issuedAt + ttlSeconds) * 1000);
  const token = await new SignJWT({ sid: claims.sessionId, ver: claims.version })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    // Unique per token, so two issued in the same second never coincide (and logs can tell them apart).
    .setJti(randomUUID())
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(key);
  return { token, expiresAt };
}

/**
 * Verifies signature (HS256 only: `none` and RS/HS confusion are refused), issuer, audience and times.
 * AUTH_EXPIRED only for a token whose signature checked out and that merely expired; anything else
 * is AUTH_INVALID.
 */
export async function verifyAccessToken(
  key: webcrypto.CryptoKey,
  token: string,
  now: Date,
): Promise<AccessTokenClaims> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      currentDate: now,
      requiredClaims: ['sub', 'exp', 'iat', 'nbf'],
    });
    const { sub, sid, ver, exp } = payload;
    if (
      typeof sub !== 'string' ||
      typeof sid !== 'string' ||
      typeof ver !== 'number' ||
      typeof exp !== 'number'
    ) {
      throw new AppError('AUTH_INVALID', 'Invalid access token');
    }
    return { userId: sub, sessionId: sid, version: ver, expiresAt: new Date(exp * 1000) };
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof errors.JWTExpired)
      throw new AppError('AUTH_EXPIRED', 'Access token expired; refresh it');
    throw new AppError('AUTH_INVALID', 'Invalid access token');
  }
}
