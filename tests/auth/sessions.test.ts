// Refresh rotation with reuse detection, logout, logout everywhere, and password changes.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { appClient, appCodeOf, registerUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let sql: postgres.Sql;
beforeAll(async () => {
  server = await startTestServer({ env: { AUTH_RATE_LIMIT: '1000' } });
  sql = postgres(server.database.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await server?.close();
});

const api = () => appClient(server.url);

describe('auth.refresh', () => {
  it('rotates: a new access and refresh token, the old refresh token spent', async () => {
    const user = await registerUser(server);
    const next = await api().auth.refresh.mutate({ refreshToken: user.session.refreshToken });
    expect(next.refreshToken).not.toBe(user.session.refreshToken);
    expect(next.accessToken).not.toBe(user.session.accessToken);
    expect(await appCodeOf(appClient(server.url, next.accessToken).auth.me.query())).toBe('no error');
    const again = await api().auth.refresh.mutate({ refreshToken: next.refreshToken });
    expect(again.refreshToken).not.toBe(next.refreshToken);
  });

  it('treats reuse of a spent refresh token as theft: the whole family is revoked', async () => {
    const user = await registerUser(server);
    const rotated = await api().auth.refresh.mutate({ refreshToken: user.session.refreshToken });
    // An attacker replays the first token...
    expect(await appCodeOf(api().auth.refresh.mutate({ refreshToken: user.session.refreshToken }))).toBe(
      'AUTH_INVALID',
    );
    // ...and the legitimate holder's newer tokens die with it.
    expect(await appCodeOf(api().auth.refresh.mutate({ refreshToken: rotated.refreshToken }))).toBe(
      'AUTH_INVALID',
    );
    expect(await appCodeOf(appClient(server.url, rotated.accessToken).auth.me.query())).toBe('AUTH_INVALID');
    const [row] = await sql<{ revoked_reason: string }[]>`
      select revoked_reason from sessions where user_id = ${user.session.user.id}`;
    expect(row?.revoked_reason).toBe('refresh token reuse');
  });

  it('refuses an unknown refresh token', async () => {
    expect(await appCodeOf(api().auth.refresh.mutate({ refreshToken: 'made-up-token' }))).toBe(
      'AUTH_INVALID',
    );
  });

  it('stores refresh tokens only as hashes', async () => {
    const user = await registerUser(server);
    const rows = await sql<{ token_hash: string }[]>`
      select rt.token_hash from refresh_tokens rt join sessions s on s.id = rt.session_id
      where s.user_id = ${user.session.user.id}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.token_hash).not.toContain(user.session.refreshToken);
  });
});

describe('auth.logout and auth.logoutAll', () => {
  it('logout ends this session only', async () => {
    const user = await registerUser(server);
    const other = await api().auth.login.mutate({ login: user.email, password: user.password });
    await appClient(server.url, user.session.accessToken).auth.logout.mutate();
    expect(await appCodeOf(appClient(server.url, user.session.accessToken).auth.me.query())).toBe(
      'AUTH_INVALID',
    );
    expect(await appCodeOf(api().auth.refresh.mutate({ refreshToken: user.session.refreshToken }))).toBe(
      'AUTH_INVALID',
    );
    expect(await appCodeOf(appClient(server.url, other.accessToken).auth.me.query())).toBe('no error');
  });

  it('logoutAll ends every session of the user', async () => {
    const user = await registerUser(server);
    const other = await api().auth.login.mutate({ login: user.email, password: user.password });
    await appClient(server.url, user.session.accessToken).auth.logoutAll.mutate();
    for (const token of [user.session.accessToken, other.accessToken]) {
      expect(await appCodeOf(appClient(server.url, token).auth.me.query())).toBe('AUTH_INVALID');
    }
    expect(await appCodeOf(api().auth.refresh.mutate({ refreshToken: other.refreshToken }))).toBe(
      'AUTH_INVALID',
    );
  });
});

describe('auth.changePassword', () => {
  it('refuses a wrong current password and changes nothing', async () => {
    const user = await registerUser(server);
    const client = appClient(server.url, user.session.accessToken);
    expect(
      await appCodeOf(
        client.auth.changePassword.mutate({ current: 'not-my-password', next: 'a brand new passphrase' }),
      ),
    ).toBe('VALIDATION_ERROR');
    expect(await appCodeOf(api().auth.login.mutate({ login: user.email, password: user.password }))).toBe(
      'no error',
    );
  });

  it('changes the password and signs out the other sessions, keeping this one', async () => {
    const user = await registerUser(server);
    const other = await api().auth.login.mutate({ login: user.email, password: user.password });
    const client = appClient(server.url, user.session.accessToken);
    await client.auth.changePassword.mutate({ current: user.password, next: 'a brand new passphrase' });
    expect(await appCodeOf(client.auth.me.query())).toBe('no error');
    expect(await appCodeOf(appClient(server.url, other.accessToken).auth.me.query())).toBe('AUTH_INVALID');
    expect(await appCodeOf(api().auth.login.mutate({ login: user.email, password: user.password }))).toBe(
      'AUTH_INVALID',
    );
    expect(
      await appCodeOf(api().auth.login.mutate({ login: user.email, password: 'a brand new passphrase' })),
    ).toBe('no error');
  });
});

describe('auth.updateProfile', () => {
  it('renames, refusing a taken username', async () => {
    const user = await registerUser(server);
    const rival = await registerUser(server);
    const client = appClient(server.url, user.session.accessToken);
    const updated = await client.auth.updateProfile.mutate({
      username: 'renamed_user',
      displayName: 'Ada L.',
    });
    expect(updated).toMatchObject({ username: 'renamed_user', displayName: 'Ada L.' });
    expect(
      await appCodeOf(client.auth.updateProfile.mutate({ username: rival.username.toUpperCase() })),
    ).toBe('CONFLICT');
  });
});
