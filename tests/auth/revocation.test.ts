// Revocation with two API processes on one database, each keeping signed-in sessions in memory: whatever
// ends a session on one process (or in psql) ends it on the other too, without a restart or a wait for
// the access token to expire.
import { pino } from 'pino';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningApp, startApp } from '../../src/app.js';
import type { AppRouter } from '../../src/app-router.js';
import { appClient, appCodeOf, registerUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// The hub's maxLag (3 s) bounds how late a notification may be before a process stops trusting memory.
const WITHIN = { timeout: 3_000, interval: 20 };

let first: TestServer<AppRouter>;
let second: RunningApp;
let sql: postgres.Sql;
beforeAll(async () => {
  first = await startTestServer({ env: { AUTH_RATE_LIMIT: '1000' } });
  second = await startApp({ config: first.config, logger: pino({ level: 'silent' }) });
  sql = postgres(first.database.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await second?.stop();
  await first?.close();
});

/** Signs in on the first process and makes sure both processes have the session in memory. */
async function signedInOnBoth() {
  const user = await registerUser(first);
  const token = user.session.accessToken;
  for (const url of [first.url, second.url, first.url, second.url]) {
    expect(await appCodeOf(appClient(url, token).auth.me.query())).toBe('no error');
  }
  return user;
}

const meOn = (url: string, token: string) => appCodeOf(appClient(url, token).auth.me.query());

describe('revocation across API processes', () => {
  // That the process making the change forgets it itself is tested in session-cache.test.ts.
  it('a logout on one process ends the session there and on the other one', async () => {
    const user = await signedInOnBoth();
    const token = user.session.accessToken;
    await appClient(second.url, token).auth.logout.mutate();
    expect(await meOn(second.url, token)).toBe('AUTH_INVALID');
    await vi.waitFor(async () => expect(await meOn(first.url, token)).toBe('AUTH_INVALID'), WITHIN);
  });

  it('a password change on one process signs the other sessions out on both', async () => {
    const user = await signedInOnBoth();
    const other = await appClient(first.url).auth.login.mutate({
      login: user.email,
      password: user.password,
    });
    for (const url of [first.url, second.url]) expect(await meOn(url, other.accessToken)).toBe('no error');
    await appClient(first.url, user.session.accessToken).auth.changePassword.mutate({
      current: user.password,
      next: 'another long passphrase',
    });
    expect(await meOn(first.url, other.accessToken)).toBe('AUTH_INVALID');
    await vi.waitFor(
      async () => expect(await meOn(second.url, other.accessToken)).toBe('AUTH_INVALID'),
      WITHIN,
    );
    for (const url of [first.url, second.url])
      expect(await meOn(url, user.session.accessToken)).toBe('no error');
  });

  it('an operator disabling a user in SQL ends their sessions on every process', async () => {
    const user = await signedInOnBoth();
    await sql`update users set disabled = true where id = ${user.session.user.id}`;
    for (const url of [first.url, second.url]) {
      await vi.waitFor(
        async () => expect(await meOn(url, user.session.accessToken)).toBe('AUTH_INVALID'),
        WITHIN,
      );
    }
  });

  it('an operator revoking a session in SQL ends it on every process', async () => {
    const user = await signedInOnBoth();
    await sql`update sessions set revoked_at = now() where user_id = ${user.session.user.id}`;
    for (const url of [first.url, second.url]) {
      await vi.waitFor(
        async () => expect(await meOn(url, user.session.accessToken)).toBe('AUTH_INVALID'),
        WITHIN,
      );
    }
  });

  // Each alone ends a session: a bumped token version (every access token of the user, session rows
  // untouched) and a session past its expiry (never revoked).
  it("an operator bumping a user's token version in SQL ends their access tokens on every process", async () => {
    const user = await signedInOnBoth();
    await sql`update users set token_version = token_version + 1 where id = ${user.session.user.id}`;
    for (const url of [first.url, second.url]) {
      await vi.waitFor(
        async () => expect(await meOn(url, user.session.accessToken)).toBe('AUTH_INVALID'),
        WITHIN,
      );
    }
  });

  it('a session past its expiry ends, though nothing revoked it', async () => {
    const user = await signedInOnBoth();
    await sql`update sessions set expires_at = now() - interval '1 second' where user_id = ${user.session.user.id}`;
    for (const url of [first.url, second.url]) {
      await vi.waitFor(
        async () => expect(await meOn(url, user.session.accessToken)).toBe('AUTH_INVALID'),
        WITHIN,
      );
    }
  });
});
