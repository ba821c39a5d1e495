// API tokens as their owner sees them in listTokens: when each was last used (written at most once a
// minute), when it expires, its prefix and scopes; revoking twice is not an error.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { appClient, appCodeOf, registerUser, type TestUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let sql: postgres.Sql;
let user: TestUser;
beforeAll(async () => {
  server = await startTestServer({ env: { AUTH_RATE_LIMIT: '1000' } });
  sql = postgres(server.database.url, { max: 1, onnotice: () => {} });
  user = await registerUser(server);
});
afterAll(async () => {
  await sql?.end();
  await server?.close();
});

const owner = () => appClient(server.url, user.session.accessToken);

async function lastUsedAt(tokenId: string): Promise<Date | null> {
  const [row] = await sql<{ last_used_at: Date | null }[]>`
    select last_used_at from api_tokens where id = ${tokenId}`;
  if (!row) throw new Error(`no token ${tokenId}`);
  return row.last_used_at;
}

describe('last used', () => {
  it('is empty until the first use, then set; a use within a minute does not write it again', async () => {
    const { token, secret } = await owner().auth.createToken.mutate({
      name: 'used',
      scopes: ['profile:read'],
    });
    expect(token.lastUsedAt).toBeNull();
    expect(await lastUsedAt(token.id)).toBeNull();
    const before = Date.now();
    await appClient(server.url, secret).auth.me.query();
    const first = await lastUsedAt(token.id);
    expect(first).toBeInstanceOf(Date);
    expect(Math.abs((first?.getTime() ?? 0) - before)).toBeLessThan(5_000);

    const recent = new Date(Date.now() - 30_000);
    await sql`update api_tokens set last_used_at = ${recent} where id = ${token.id}`;
    await appClient(server.url, secret).auth.me.query();
    expect(await lastUsedAt(token.id)).toEqual(recent);
    expect((await owner().auth.listTokens.query()).find((t) => t.id === token.id)?.lastUsedAt).toEqual(
      recent,
    );
  });

  it('is written again once it is more than a minute old', async () => {
    const { token, secret } = await owner().auth.createToken.mutate({
      name: 'old',
      scopes: ['profile:read'],
    });
    const old = new Date(Date.now() - 61_000);
    await sql`update api_tokens set last_used_at = ${old} where id = ${token.id}`;
    await appClient(server.url, secret).auth.me.query();
    const touched = await lastUsedAt(token.id);
    expect(touched?.getTime()).toBeGreaterThan(old.getTime() + 50_000);
  });
});

describe('creation', () => {
  it('expires the given number of days from now, or never', async () => {
    const now = Date.now();
    const week = await owner().auth.createToken.mutate({
      name: 'week',
      scopes: ['profile:read'],
      expiresInDays: 7,
    });
    expect(Math.abs((week.token.expiresAt?.getTime() ?? 0) - (now + 7 * 86_400_000))).toBeLessThan(10_000);
    const forever = await owner().auth.createToken.mutate({ name: 'forever', scopes: ['profile:read'] });
    expect(forever.token.expiresAt).toBeNull();
  });

  it('keeps the first 12 characters as its prefix and each scope once', async () => {
    const { token, secret } = await owner().auth.createToken.mutate({
      name: 'dupes',
      scopes: ['files:read', 'tasks:read', 'files:read'],
    });
    expect(token.tokenPrefix).toBe(secret.slice(0, 12));
    expect(token.tokenPrefix).toHaveLength(12);
    expect(token.scopes).toEqual(['files:read', 'tasks:read']);
  });
});

describe('revocation', () => {
  it('revoking an already revoked token of one’s own is fine; an unknown id is RESOURCE_NOT_FOUND', async () => {
    const { token, secret } = await owner().auth.createToken.mutate({
      name: 'twice',
      scopes: ['profile:read'],
    });
    expect(await owner().auth.revokeToken.mutate({ id: token.id })).toEqual({ ok: true });
    expect(await owner().auth.revokeToken.mutate({ id: token.id })).toEqual({ ok: true });
    expect(await appCodeOf(appClient(server.url, secret).auth.me.query())).toBe('AUTH_INVALID');
    expect(await appCodeOf(owner().auth.revokeToken.mutate({ id: randomUUID() }))).toBe('RESOURCE_NOT_FOUND');
  });
});
