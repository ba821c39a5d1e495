// The client's view of the signed-in session: the token to send now, and one refresh at a time however many
// calls find the access token expired together.

import type { TokenPair } from './contract.js';
import { isUnauthorized } from './errors.js';
import type { DocrpcAuth } from './tokens.js';

export interface Session {
  accessToken(): Promise<string | null>;
  /** Bumped by every successful refresh: a call remembers it before going out. */
  generation(): number;
  /**
   * For a call that failed as unauthorized while `seen` was current: true when a newer access token exists to
   * retry with (refreshed now, or by another call meanwhile), false when there is none.
   */
  renew(seen: number): Promise<boolean>;
  /** Tokens from `auth.login`/`auth.register`/`auth.refresh` answers, `null` after `auth.logout`. */
  update(tokens: TokenPair | null): Promise<void>;
}

export function createSession(
  auth: DocrpcAuth | undefined,
  refresh: (refreshToken: string) => Promise<TokenPair>,
): Session {
  let generation = 0;
  let refreshing: Promise<boolean> | null = null;

  async function refreshOnce(): Promise<boolean> {
    const refreshToken = await auth?.getRefreshToken?.();
    if (!refreshToken) return false;
    try {
      const tokens = await refresh(refreshToken);
      await auth?.onTokens?.(tokens);
      generation++;
      return true;
    } catch (error) {
      // Refused (expired, revoked, reused): the session is over. A network failure says nothing about it.
      if (isUnauthorized(error)) await auth?.onTokens?.(null);
      return false;
    }
  }

  return {
    accessToken: async () => (await auth?.getAccessToken()) ?? null,
    generation: () => generation,
    renew(seen) {
      if (seen !== generation) return Promise.resolve(true);
      refreshing ??= refreshOnce().finally(() => {
        refreshing = null;
      });
      return refreshing;
    },
    async update(tokens) {
      await auth?.onTokens?.(tokens);
      generation++;
    },
  };
}
