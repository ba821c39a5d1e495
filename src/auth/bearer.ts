// The one way every transport (tRPC over HTTP and WebSocket, the file routes, REST) reads a credential and
// decides whether it may act: parse the Bearer header, authenticate, check the API token's scope.
import type { ApiScope } from '../db/schema/auth.js';
import type { AppDeps, Caller } from '../deps.js';
import { AppError } from '../errors.js';
import { authenticate } from './authenticate.js';

/**
 * What a call needs: a scope an API token must carry, or `'session'` for what only a signed-in user may do
 * (sessions, passwords, tokens themselves); API tokens are refused there.
 */
export type Access = ApiScope | 'session';

/** The token of an `Authorization: Bearer <token>` header; null when there is none or it is malformed. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  return /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? null;
}

/** The caller a bearer names, if it may do what `access` asks; AUTH_* or FORBIDDEN otherwise. */
export async function authorize(
  deps: Pick<AppDeps, 'db' | 'sessionCache' | 'secrets' | 'now'>,
  bearer: string | null,
  access: Access,
): Promise<Caller> {
  const caller = await authenticate(deps, bearer);
  if (caller.scopes === null) return caller;
  if (access === 'session') throw new AppError('FORBIDDEN', 'API tokens cannot call this procedure');
  if (!caller.scopes.includes(access)) {
    throw new AppError('FORBIDDEN', `This API token lacks the "${access}" scope`);
  }
  return caller;
}
