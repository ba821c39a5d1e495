// Random bearer secrets and their stored form: only a SHA-256 is kept (they are long and random,
// so a fast hash is enough: nothing to brute-force).
import { createHash, randomBytes } from 'node:crypto';

export const API_TOKEN_PREFIX = 'drpc_';

export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function newApiTokenSecret(): string {
  return `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
