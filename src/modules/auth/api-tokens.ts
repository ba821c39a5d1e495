// API tokens for scripts: created with scopes, shown once, listed without their secret, revocable.

import { hashToken, newApiTokenSecret } from '../../auth/tokens.js';
import type { AppDeps, Caller } from '../../deps.js';
import { AppError } from '../../errors.js';
import { apiTokenExists, insertApiToken, listApiTokens, revokeApiToken } from './queries.js';
import type { ApiScope, ApiTokenOutput } from './schemas.js';

export async function createApiToken(
  deps: AppDeps,
  caller: Caller,
  input: { name: string; scopes: ApiScope[]; expiresInDays?: number | undefined },
): Promise<{ token: ApiTokenOutput; secret: string }> {
  const secret = newApiTokenSecret();
  const expiresAt = input.expiresInDays
    ? new Date(deps.now().getTime() + input.expiresInDays * 86_400_000)
    : null;
  const row = await insertApiToken(deps.db, {
    userId: caller.id,
    name: input.name,
    tokenHash: hashToken(secret),
    tokenPrefix: secret.slice(0, 12),
    scopes: [...new Set(input.scopes)],
    expiresAt,
  });
  return { token: row, secret };
}

export async function listTokens(deps: AppDeps, caller: Caller): Promise<ApiTokenOutput[]> {
  return listApiTokens(deps.db, caller.id);
}

export async function revokeToken(
  deps: AppDeps,
  caller: Caller,
  input: { id: string },
): Promise<{ ok: true }> {
  if (await revokeApiToken(deps.db, caller.id, input.id)) return { ok: true };
  // Another user's token id answers like a missing one: existence is not revealed.
  if (await apiTokenExists(deps.db, caller.id, input.id)) return { ok: true };
  throw new AppError('RESOURCE_NOT_FOUND', 'No such API token');
}
