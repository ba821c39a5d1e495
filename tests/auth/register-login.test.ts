// auth.register and auth.login: validation, uniqueness, first-user admin, no enumeration, rehash.
import argon2 from 'argon2';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { appClient, appCodeOf, GOOD_PASSWORD, registerUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let sql: postgres.Sql;
beforeAll(async () => {
  server = await startTestServer({ env: { ADMIN_EMAILS: 'boss@example.com', AUTH_RATE_LIMIT: '1000' } });
  sql = postgres(server.database.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await server?.close();
});

const countUsers = async () => (await sql<{ n: number }[]>`select count(*)::int as n from users`)[0]?.n;

describe('auth.register', () => {
  it('creates the first user as admin and returns a working session', async () => {
    const first = await registerUser(server, { username: 'First.User', email: '  First@Example.COM ' });
    expect(first.session.user).toMatchObject({
      username: 'First.User',
      email: 'first@example.com',
      role: 'admin',
    });
    expect(first.session.accessToken.split('.')).toHaveLength(3);
    expect(first.session.refreshToken.length).toBeGreaterThan(30);
    expect(first.session.accessTokenExpiresAt.getTime()).toBeGreaterThan(Date.now());
    const me = await appClient(server.url, first.session.accessToken).auth.me.query();
    expect(me.id).toBe(first.session.user.id);
    const second = await registerUser(server);
    expect(second.session.user.role).toBe('user');
  });

  it('makes users named in ADMIN_EMAILS admins', async () => {
    const boss = await registerUser(server, { email: 'Boss@example.com' });
    expect(boss.session.user.role).toBe('admin');
  });

  it.each([
    [{ username: 'ab' }, 'username'],
    [{ username: 'has space' }, 'username'],
    [{ username: 'x'.repeat(51) }, 'username'],
    [{ email: 'not-an-email' }, 'email'],
    [{ password: 'short' }, 'password'],
    [{ password: 'x'.repeat(129) }, 'password'],
    [{ password: 'Password123' }, 'password'],
  ])('refuses %o with a VALIDATION_ERROR on that field and writes nothing', async (override, field) => {
    const before = await countUsers();
    const input = {
      username: 'valid_name',
      email: 'valid@example.com',
      password: GOOD_PASSWORD,
      ...override,
    };
    const error = await appClient(server.url)
      .auth.register.mutate(input)
      .catch((e: unknown) => e);
    const data = (error as { data?: { appCode: string; fieldErrors: Record<string, string[]> } }).data;
    expect(data?.appCode).toBe('VALIDATION_ERROR');
    expect(Object.keys(data?.fieldErrors ?? {})).toEqual([field]);
    expect(await countUsers()).toBe(before);
  });

  it('refuses a taken email or username, case-insensitively, with CONFLICT', async () => {
    const taken = await registerUser(server, { username: 'Taken_Name', email: 'taken@example.com' });
    const before = await countUsers();
    const api = appClient(server.url);
    expect(
      await appCodeOf(
        api.auth.register.mutate({ username: 'other1', email: 'TAKEN@example.com', password: GOOD_PASSWORD }),
      ),
    ).toBe('CONFLICT');
    expect(
      await appCodeOf(
        api.auth.register.mutate({
          username: 'taken_NAME',
          email: 'x1@example.com',
          password: GOOD_PASSWORD,
        }),
      ),
    ).toBe('CONFLICT');
    expect(await countUsers()).toBe(before);
    expect(taken.session.user.username).toBe('Taken_Name');
  });
});

describe('auth.login', () => {
  it('accepts the email or the username, in any case', async () => {
    const user = await registerUser(server, { username: 'LoginByName', email: 'login-by@example.com' });
    const api = appClient(server.url);
    const byEmail = await api.auth.login.mutate({ login: 'LOGIN-BY@example.com', password: user.password });
    const byName = await api.auth.login.mutate({ login: 'loginbyname', password: user.password });
    expect(byEmail.user.id).toBe(user.session.user.id);
    expect(byName.user.id).toBe(user.session.user.id);
    expect(byName.refreshToken).not.toBe(byEmail.refreshToken);
  });

  it('answers an unknown login and a wrong password the same way', async () => {
    const user = await registerUser(server);
    const api = appClient(server.url);
    const unknown = await api.auth.login
      .mutate({ login: 'nobody@example.com', password: 'whatever-123' })
      .catch((e: unknown) => e);
    const wrong = await api.auth.login
      .mutate({ login: user.email, password: 'wrong-password-1' })
      .catch((e: unknown) => e);
    for (const error of [unknown, wrong]) {
      expect((error as { data: { appCode: string } }).data.appCode).toBe('AUTH_INVALID');
    }
    expect((unknown as Error).message).toBe((wrong as Error).message);
  });

  it('rehashes a password stored with weaker parameters on the next login', async () => {
    const user = await registerUser(server);
    const weak = await argon2.hash(user.password, {
      type: argon2.argon2id,
      memoryCost: 4096,
      timeCost: 1,
      parallelism: 1,
    });
    await sql`update users set password_hash = ${weak} where id = ${user.session.user.id}`;
    await appClient(server.url).auth.login.mutate({ login: user.email, password: user.password });
    const [row] = await sql<
      { password_hash: string }[]
    >`select password_hash from users where id = ${user.session.user.id}`;
    expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  });
});
