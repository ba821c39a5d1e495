// API tokens for scripts: shown once, scoped, listed without secrets, revocable, owner-scoped.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appClient, appCodeOf, registerUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type TestRouter, testRouter } from '../helpers/test-router.js';

let server: TestServer<TestRouter>;
let sql: postgres.Sql;
beforeAll(async () => {
  server = await startTestServer({ router: testRouter, env: { AUTH_RATE_LIMIT: '1000' } });

  sql = postgres(server.database.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await server?.close();
});

describe('API tokens', () => {
  it('are created with a drpc_ secret shown once and stored only as a hash', async () => {
    const user = await registerUser(server);
    const client = appClient(server.url, user.session.accessToken);
    const created = await client.auth.createToken.mutate({
      name: 'nightly import',
      scopes: ['profile:read'],
    });
    expect(created.secret).toMatch(/^drpc_[A-Za-z0-9_-]{43}$/);
    expect(created.token).toMatchObject({
      name: 'nightly import',
      scopes: ['profile:read'],
      revokedAt: null,
    });
    expect(created.secret.startsWith(created.token.tokenPrefix)).toBe(true);
    const listed = await client.auth.listTokens.query();
    expect(listed.map((t) => t.id)).toEqual([created.token.id]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    const [row] = await sql<
      { token_hash: string }[]
    >`select token_hash from api_tokens where id = ${created.token.id}`;
    expect(row?.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('work as a Bearer token for procedures within their scopes, over HTTP and WebSocket', async () => {
    const user = await registerUser(server);
    const { secret } = await appClient(server.url, user.session.accessToken).auth.createToken.mutate({
      name: 'script',
      scopes: ['profile:read'],
    });
    const me = await appClient(server.url, secret).auth.me.query();
    expect(me.id).toBe(user.session.user.id);
    const viaCurl = await fetch(`${server.url}/trpc/auth.me`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(viaCurl.status).toBe(200);
    expect((await server.as(secret).ws.auth.me.query()).id).toBe(user.session.user.id);
  });
  // Scopes, revocation, expiry and owner scoping are business rules: access.caller.test.ts tests them in-process.
});

describe('admin', () => {
  it('is for admins only', async () => {
    await registerUser(server); // makes sure an admin (the first user) exists already
    const user = await registerUser(server);
    expect(await appCodeOf(appClient(server.url, user.session.accessToken).admin.users.list.query({}))).toBe(
      'FORBIDDEN',
    );
  });

  it('lists users with a cursor, and disabling one stops every credential at once', async () => {
    const [{ id: adminId } = { id: '' }] = await sql<
      { id: string }[]
    >`select id from users where role = 'admin' limit 1`;
    const admin = await appClient(server.url).auth.login.mutate({
      login: (await sql<{ email: string }[]>`select email from users where id = ${adminId}`)[0]?.email ?? '',
      password: 'correct horse battery staple',
    });
    const asAdmin = appClient(server.url, admin.accessToken);
    const victim = await registerUser(server);
    const { secret } = await appClient(server.url, victim.session.accessToken).auth.createToken.mutate({
      name: 'x',
      scopes: ['profile:read', 'tasks:read'],
    });

    const firstPage = await asAdmin.admin.users.list.query({ limit: 2 });
    expect(firstPage.items).toHaveLength(2);
    expect(firstPage.nextCursor).not.toBeNull();
    const secondPage = await asAdmin.admin.users.list.query({
      limit: 2,
      cursor: firstPage.nextCursor ?? undefined,
    });
    expect(secondPage.items[0]?.id).not.toBe(firstPage.items[1]?.id);
    expect(JSON.stringify(firstPage)).not.toMatch(/password|argon2/);

    await asAdmin.admin.users.setDisabled.mutate({ userId: victim.session.user.id, disabled: true });
    expect(await appCodeOf(appClient(server.url, victim.session.accessToken).auth.me.query())).toBe(
      'AUTH_INVALID',
    );
    expect(await appCodeOf(appClient(server.url, secret).auth.me.query())).toBe('AUTH_INVALID');
    expect(
      await appCodeOf(
        appClient(server.url).auth.refresh.mutate({ refreshToken: victim.session.refreshToken }),
      ),
    ).toBe('AUTH_INVALID');
    expect(
      await appCodeOf(
        appClient(server.url).auth.login.mutate({ login: victim.email, password: victim.password }),
      ),
    ).toBe('AUTH_INVALID');

    await asAdmin.admin.users.setDisabled.mutate({ userId: victim.session.user.id, disabled: false });
    expect(
      await appCodeOf(
        appClient(server.url).auth.login.mutate({ login: victim.email, password: victim.password }),
      ),
    ).toBe('no error');
  });
});

describe('per-caller rate limit for other routers', () => {
  it('counts per user, not per connection, and answers RATE_LIMIT_EXCEEDED past the limit', async () => {
    const user = await registerUser(server);
    const other = await registerUser(server);
    const mine = server.as(user.session.accessToken);
    expect(await mine.http.test.expensive.mutate()).toEqual({ ok: true });
    expect(await mine.ws.test.expensive.mutate()).toEqual({ ok: true });
    expect(await appCodeOf(mine.http.test.expensive.mutate())).toBe('RATE_LIMIT_EXCEEDED');
    expect(await server.as(other.session.accessToken).http.test.expensive.mutate()).toEqual({ ok: true });
  });
});
