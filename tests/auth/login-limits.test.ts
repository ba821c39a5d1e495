// The two login limits, told apart by their counters in rate_limits: per IP (checked first; once it refuses,
// nothing else is counted) and per account (however the account was named). Every test plays its clients
// from loopback addresses of its own, so the counters of one test never touch another's.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { appCodeOf } from '../helpers/auth.js';
import { clientFrom, fetchFrom, freshIp, registerFromFreshIp } from '../helpers/from-ip.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const LIMIT = 3;
let server: TestServer<AppRouter>;
beforeAll(async () => {
  // A window far longer than any test, so no counter resets half-way through one.
  server = await startTestServer({
    env: { AUTH_RATE_LIMIT: String(LIMIT), AUTH_RATE_LIMIT_WINDOW_SECONDS: '600' },
  });
});
afterAll(async () => {
  await server?.close();
});

const randomLogin = () => `nobody_${randomBytes(6).toString('hex')}`;

async function loginFrom(ip: string, login: string, password: string) {
  return appCodeOf(clientFrom(server.url, ip).auth.login.mutate({ login, password }));
}

async function countRows(): Promise<number> {
  const [row] = await server.app.database.sql<{ n: number }[]>`select count(*)::int as n from rate_limits`;
  return row?.n ?? -1;
}

/** The count on one counter, or undefined when it has no row. */
async function counterOf(key: string): Promise<number | undefined> {
  const [row] = await server.app.database.sql<{ count: number }[]>`
    select count from rate_limits where key = ${key}`;
  return row?.count;
}

describe('once the IP is refused', () => {
  it('logins with strings never seen before add no rows, even batched', async () => {
    const ip = freshIp();
    for (let i = 0; i < LIMIT; i++) {
      expect(await loginFrom(ip, randomLogin(), 'wrong-password')).toBe('AUTH_INVALID');
    }
    const rowsBefore = await countRows();

    // What the attacker sent: one batched request of logins with random strings.
    const calls = 20;
    const body = Object.fromEntries(
      Array.from({ length: calls }, (_, i) => [i, { json: { login: randomLogin(), password: 'x' } }]),
    );
    const response = await fetchFrom(ip)(
      `${server.url}/trpc/${Array(calls).fill('auth.login').join(',')}?batch=1`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    );
    expect(response.status).toBe(429);
    const items = (await response.json()) as { error: { json: { data: { appCode: string } } } }[];
    expect(items.map((item) => item.error.json.data.appCode)).toEqual(
      Array(calls).fill('RATE_LIMIT_EXCEEDED'),
    );

    expect(await countRows()).toBe(rowsBefore);
    // The calls did run: the IP's own counter saw every one of them.
    expect(await counterOf(`login:ip:${ip}`)).toBe(LIMIT + calls);
  });
});

describe('the per-account limit', () => {
  it('is shared by the username and the email of one account, whatever their case', async () => {
    const user = await registerFromFreshIp(server.url);
    const spellings = [user.username, user.email.toUpperCase(), ` ${user.username.toUpperCase()} `];
    for (const login of spellings) {
      expect(await loginFrom(freshIp(), login, 'wrong-password')).toBe('AUTH_INVALID');
    }
    // The right password, by a spelling that has not been tried yet: the account's tries are used up.
    expect(await loginFrom(freshIp(), user.email, user.password)).toBe('RATE_LIMIT_EXCEEDED');
    expect(await counterOf(`login:user:${user.id}`)).toBe(LIMIT + 1);
  });

  it('refuses tries from many IPs against one account, each IP far under its own limit', async () => {
    const user = await registerFromFreshIp(server.url);
    const ips = Array.from({ length: LIMIT + 1 }, freshIp);
    for (const ip of ips.slice(0, LIMIT)) {
      expect(await loginFrom(ip, user.username, 'wrong-password')).toBe('AUTH_INVALID');
    }
    expect(await loginFrom(ips[LIMIT] ?? '', user.username, user.password)).toBe('RATE_LIMIT_EXCEEDED');

    expect(await counterOf(`login:user:${user.id}`)).toBe(LIMIT + 1);
    for (const ip of ips) expect(await counterOf(`login:ip:${ip}`)).toBe(1);
  });

  it('stays untouched when one IP tries many accounts: that IP is refused by its own limit', async () => {
    const users = [];
    for (let i = 0; i <= LIMIT; i++) users.push(await registerFromFreshIp(server.url));
    const ip = freshIp();
    for (const user of users.slice(0, LIMIT)) {
      expect(await loginFrom(ip, user.email, 'wrong-password')).toBe('AUTH_INVALID');
    }
    const last = users[LIMIT];
    if (!last) throw new Error('no last user');
    expect(await loginFrom(ip, last.email, last.password)).toBe('RATE_LIMIT_EXCEEDED');

    expect(await counterOf(`login:ip:${ip}`)).toBe(LIMIT + 1);
    for (const user of users.slice(0, LIMIT)) expect(await counterOf(`login:user:${user.id}`)).toBe(1);
    // Refused by the IP before its account was counted.
    expect(await counterOf(`login:user:${last.id}`)).toBeUndefined();
    // ...and that account still signs in from elsewhere.
    expect(await loginFrom(freshIp(), last.email, last.password)).toBe('no error');
  });

  it('limits a login that names no account the same way, without storing the text typed', async () => {
    const login = randomLogin();
    for (let i = 0; i < LIMIT; i++) {
      expect(await loginFrom(freshIp(), login, 'wrong-password')).toBe('AUTH_INVALID');
    }
    // The same answer an existing account gives: the limit does not tell which accounts exist.
    expect(await loginFrom(freshIp(), login, 'wrong-password')).toBe('RATE_LIMIT_EXCEEDED');
    const [row] = await server.app.database.sql<{ n: number }[]>`
      select count(*)::int as n from rate_limits where position(${login} in key) > 0`;
    expect(row?.n).toBe(0);
  });
});
