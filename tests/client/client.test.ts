// The client package against the real server: typed calls over HTTP and WebSocket, the token store kept in step
// with auth.* answers, and errors told apart by app code.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createDocrpcClient,
  createTokenStore,
  isDocrpcError,
  type RouterOutputs,
  type TokenStorage,
} from '../../client/src/index.js';
import type { AppRouter } from '../../src/app-router.js';
import { newUserInput } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
beforeAll(async () => {
  server = await startTestServer({ env: { AUTH_RATE_LIMIT: '1000' } });
});
afterAll(async () => {
  await server?.close();
});

function memoryStorage(): TokenStorage & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    getItem: (key) => entries.get(key) ?? null,
    setItem: (key, value) => void entries.set(key, value),
    removeItem: (key) => void entries.delete(key),
  };
}

describe('createDocrpcClient', () => {
  it('calls system.info over HTTP with typed output', async () => {
    const { api, close } = createDocrpcClient({ url: server.url });
    const info: RouterOutputs['system']['info'] = await api.system.info.query();
    expect(info.name).toBe('docrpc');
    expect(info.serverTime).toBeInstanceOf(Date);
    await close();
  });

  it('keeps the token store in step: register stores tokens, calls use them over HTTP and WebSocket, logout clears', async () => {
    const storage = memoryStorage();
    const store = createTokenStore({ storage });
    const changes: unknown[] = [];
    store.subscribe(() => changes.push(store.get()));
    const client = createDocrpcClient({ url: server.url, auth: store });
    const input = newUserInput();
    const session = await client.api.auth.register.mutate(input);
    expect(store.get()?.accessToken).toBe(session.accessToken);
    expect(changes).toHaveLength(1);
    expect((await client.api.auth.me.query()).email).toBe(input.email);

    // A reload: a new store reads the same storage and is still signed in.
    const reloaded = createDocrpcClient({
      url: server.url,
      auth: createTokenStore({ storage }),
      allOverWebSocket: true,
    });
    expect((await reloaded.api.auth.me.query()).id).toBe(session.user.id);
    await vi.waitFor(() =>
      expect(server.logs.lines().some((l) => l.transport === 'ws' && l.procedure === 'auth.me')).toBe(true),
    );

    await client.api.auth.logout.mutate();
    expect(store.get()).toBeNull();
    expect(storage.entries.size).toBe(0);
    const error = await client.api.auth.me.query().catch((e: unknown) => e);
    expect(isDocrpcError(error, 'AUTH_REQUIRED')).toBe(true);
    await client.close();
    await reloaded.close();
  });

  it('isDocrpcError narrows on app codes and says no to anything else', async () => {
    const { api, close } = createDocrpcClient({ url: server.url });
    const error = await api.auth.login
      .mutate({ login: 'nobody_here', password: 'wrong password 1' })
      .catch((e: unknown) => e);
    expect(isDocrpcError(error)).toBe(true);
    expect(isDocrpcError(error, 'AUTH_INVALID', 'RATE_LIMIT_EXCEEDED')).toBe(true);
    expect(isDocrpcError(error, 'FILE_TOO_LARGE')).toBe(false);
    if (isDocrpcError(error, 'AUTH_INVALID')) {
      const code: 'AUTH_INVALID' = error.data.appCode;
      expect(code).toBe('AUTH_INVALID');
      expect(error.data.httpStatus).toBe(401);
    }
    const invalid = await api.auth.register
      .mutate({ username: 'x', email: 'no', password: 'short' })
      .catch((e: unknown) => e);
    expect(isDocrpcError(invalid, 'VALIDATION_ERROR') && Object.keys(invalid.data.fieldErrors ?? {})).toEqual(
      expect.arrayContaining(['email']),
    );
    expect(isDocrpcError(new Error('plain'))).toBe(false);
    expect(isDocrpcError({ data: { appCode: 'FORBIDDEN' } }, 'FORBIDDEN')).toBe(false);
    await close();
  });
});
