// Where the client gets and keeps its tokens: the `auth` option, and a small store a React app can subscribe to.
import type { TokenPair } from './contract.js';

type MaybePromise<T> = T | Promise<T>;

/** What the client needs from the app's session: it reads tokens per request and reports new ones. */
export interface DocrpcAuth {
  /** The current access token (or an API token), sent as `Authorization: Bearer` and over the WebSocket. */
  getAccessToken(): MaybePromise<string | null | undefined>;
  /** Without one, an expired access token is not refreshed: the call fails with its UNAUTHORIZED error. */
  getRefreshToken?(): MaybePromise<string | null | undefined>;
  /**
   * New tokens after `auth.login`, `auth.register` or a refresh; `null` once the session is over (logout, or the
   * server refused the refresh token): the app should show its sign-in screen then.
   */
  onTokens?(tokens: TokenPair | null): MaybePromise<void>;
}

/** The part of `localStorage`/`sessionStorage` the store uses. */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface TokenStore extends Required<DocrpcAuth> {
  /** The tokens now (a stable object until they change: fit for React's `useSyncExternalStore`). */
  get(): TokenPair | null;
  set(tokens: TokenPair | null): void;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/**
 * Tokens in memory, optionally mirrored into `storage` (e.g. `localStorage`) so a reload stays signed in.
 * Keeping the refresh token in script-readable storage is the app's trade-off to make; leave `storage` out to
 * keep tokens for the page's lifetime only.
 */
export function createTokenStore(options: { storage?: TokenStorage; key?: string } = {}): TokenStore {
  const key = options.key ?? 'docrpc.tokens';
  let tokens = options.storage ? readStored(options.storage, key) : null;
  const listeners = new Set<() => void>();
  const set = (next: TokenPair | null) => {
    tokens = next;
    if (next) options.storage?.setItem(key, JSON.stringify(next));
    else options.storage?.removeItem(key);
    for (const listener of listeners) listener();
  };
  return {
    get: () => tokens,
    set,
    getAccessToken: () => tokens?.accessToken ?? null,
    getRefreshToken: () => tokens?.refreshToken ?? null,
    onTokens: set,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function readStored(storage: TokenStorage, key: string): TokenPair | null {
  try {
    const raw = JSON.parse(storage.getItem(key) ?? 'null') as Record<string, string> | null;
    if (!raw?.accessToken || !raw.refreshToken) return null;
    return {
      accessToken: raw.accessToken,
      refreshToken: raw.refreshToken,
      accessTokenExpiresAt: new Date(raw.accessTokenExpiresAt ?? 0),
      refreshTokenExpiresAt: new Date(raw.refreshTokenExpiresAt ?? 0),
    };
  } catch {
    return null; // unreadable leftovers: signed out
  }
}
