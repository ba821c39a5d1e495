// An expired access token is refreshed once, however many calls find it expired together, and each call is sent
// again once; a refused refresh ends the session in the token store.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDocrpcClient, createTokenStore, isDocrpcError } from '../../client/src/index.js';
import type { AppRouter } from '../../src/app-router.js';
import { appClient, appCodeOf, newUserInput } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
beforeAll(async () => {
  server = await startTestServer({ env: { ACCESS_TOKEN_TTL_SECONDS: '1', AUTH_RATE_LIMIT: '1000' } });
});
afterAll(async () => {
  await server?.close();
});

/** auth.refresh requests the server has answered so far (batched or not). */
function refreshCalls(): number {
  return server.logs.lines().filter(
    (l) =>
      l.msg === 'request' &&
      String(l.procedure ?? '')
        .split(',')
        .includes('auth.refresh'),
  ).length;
}

async function untilExpired(accessToken: string) {
  await vi.waitFor(
    async () =>
      expect(await appCodeOf(appClient(server.url, accessToken).auth.me.query())).toBe('AUTH_EXPIRED'),
    { timeout: 5_000, interval: 100 },
  );
}

describe('token refresh', () => {
  it('20 calls with an expired token: exactly one auth.refresh, every call answered', async () => {
    const store = createTokenStore();
    const client = createDocrpcClient({ url: server.url, auth: store });
    const session = await client.api.auth.register.mutate(newUserInput());
    await untilExpired(session.accessToken);
    const before = refreshCalls();

    // Ten in one batch, ten in batches of their own a few milliseconds apart (answers arrive at different times).
    const calls = [
      ...Array.from({ length: 10 }, () => client.api.auth.me.query()),
      ...Array.from({ length: 10 }, (_, i) =>
        new Promise<void>((resolve) => setTimeout(resolve, i * 3)).then(() => client.api.auth.me.query()),
      ),
    ];
    const profiles = await Promise.all(calls);
    expect(profiles.map((p) => p.id)).toEqual(Array(20).fill(session.user.id));
    await vi.waitFor(() => expect(refreshCalls()).toBe(before + 1));
    expect(store.get()?.accessToken).not.toBe(session.accessToken);
    expect(store.get()?.refreshToken).not.toBe(session.refreshToken); // rotated
    await client.close();
  });

  it('a refused refresh token signs the store out; the calls fail with their own AUTH_EXPIRED', async () => {
    const store = createTokenStore();
    const client = createDocrpcClient({ url: server.url, auth: store });
    const session = await client.api.auth.register.mutate(newUserInput());
    // The session is revoked elsewhere: its refresh token no longer works.
    await appClient(server.url, session.accessToken).auth.logoutAll.mutate();
    await untilExpired(session.accessToken);
    const before = refreshCalls();

    const results = await Promise.allSettled(Array.from({ length: 5 }, () => client.api.auth.me.query()));
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = result.status === 'rejected' ? result.reason : undefined;
      expect(isDocrpcError(reason, 'AUTH_EXPIRED')).toBe(true);
    }
    expect(refreshCalls()).toBe(before + 1);
    expect(store.get()).toBeNull();
    // Signed out: the next call is anonymous and tries no refresh.
    expect(await appCodeOf(client.api.auth.me.query())).toBe('AUTH_REQUIRED');
    expect(refreshCalls()).toBe(before + 1);
    await client.close();
  });

  it('uploads a Blob again after refreshing when the token had expired', async () => {
    const store = createTokenStore();
    const client = createDocrpcClient({ url: server.url, auth: store });
    const session = await client.api.auth.register.mutate(newUserInput());
    await untilExpired(session.accessToken);
    const before = refreshCalls();
    const file = await client.uploadFile(new Blob(['Quarterly report\nRevenue grew.\n']), {
      name: 'late.txt',
    });
    expect(file).toMatchObject({ name: 'late.txt', size: 31 });
    expect(refreshCalls()).toBe(before + 1);
    await client.close();
  });
});
