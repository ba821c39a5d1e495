// POST /api/auth/token: the OAuth2 password and refresh_token grants over the auth service, with RFC 6749
// error answers; the sign-in rate limits apply. Each test signs in as a user of its own from addresses of
// its own, so the per-account and per-IP counters of one test never touch another's.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { fetchFrom, freshIp, registerFromFreshIp } from '../helpers/from-ip.js';
import { rest } from '../helpers/rest.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const LIMIT = 3;
let server: TestServer<AppRouter>;
let user: Awaited<ReturnType<typeof registerFromFreshIp>>;
beforeAll(async () => {
  server = await startTestServer({
    env: { AUTH_RATE_LIMIT: String(LIMIT), AUTH_RATE_LIMIT_WINDOW_SECONDS: '600' },
  });
});
beforeEach(async () => {
  user = await registerFromFreshIp(server.url);
});
afterAll(async () => {
  await server?.close();
});

interface TokenAnswer {
  status: number;
  headers: Headers;
  body: {
    access_token?: string;
    token_type?: string;
    expires_in?: number;
    refresh_token?: string;
    error?: string;
  };
}

async function token(
  form: Record<string, string> | string,
  options: { headers?: Record<string, string>; ip?: string } = {},
): Promise<TokenAnswer> {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    body,
  };
  const response = await fetchFrom(options.ip ?? freshIp())(`${server.url}/api/auth/token`, init);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as TokenAnswer['body'],
  };
}

async function sessions(): Promise<number> {
  const [row] = await server.app.database.sql<{ n: number }[]>`select count(*)::int as n from sessions`;
  return row?.n ?? -1;
}

describe('the password grant', () => {
  it('answers a bearer token that the REST routes accept, never cached', async () => {
    const answer = await token({ grant_type: 'password', username: user.username, password: user.password });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body.token_type).toBe('bearer');
    expect(answer.body.expires_in).toBeGreaterThan(60);
    expect(answer.body.refresh_token).toEqual(expect.any(String));
    const me = await rest<{ username: string }>(server.url, 'GET', '/api/me', {
      token: answer.body.access_token,
    });
    expect(me.body.username).toBe(user.username);
  });

  it('accepts the email too, and a public client id (body or Basic with no secret)', async () => {
    const answer = await token(
      { grant_type: 'password', username: user.email, password: user.password, client_id: 'my-script' },
      { headers: { authorization: `Basic ${Buffer.from(':').toString('base64')}` } },
    );
    expect(answer.status).toBe(200);
  });

  it('refuses a wrong password as invalid_grant and starts no session', async () => {
    const before = await sessions();
    const answer = await token({
      grant_type: 'password',
      username: user.username,
      password: 'not it at all',
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
    expect(await sessions()).toBe(before);
  });

  it('refuses a client secret as invalid_client (401, WWW-Authenticate)', async () => {
    const before = await sessions();
    const basic = await token(
      { grant_type: 'password', username: user.username, password: user.password },
      { headers: { authorization: `Basic ${Buffer.from('app:secret').toString('base64')}` } },
    );
    expect([basic.status, basic.body.error]).toEqual([401, 'invalid_client']);
    expect(basic.headers.get('www-authenticate')).toMatch(/^Basic/);
    const inBody = await token({
      grant_type: 'password',
      username: user.username,
      password: user.password,
      client_secret: 'secret',
    });
    expect([inBody.status, inBody.body.error]).toEqual([401, 'invalid_client']);
    expect(await sessions()).toBe(before);
  });

  it('applies the sign-in rate limit: 429 slow_down with Retry-After, no session', async () => {
    const ip = freshIp();
    for (let attempt = 0; attempt < LIMIT; attempt++) {
      const answer = await token(
        { grant_type: 'password', username: user.username, password: 'wrong one' },
        { ip },
      );
      expect(answer.body.error).toBe('invalid_grant');
    }
    const before = await sessions();
    const limited = await token(
      { grant_type: 'password', username: user.username, password: user.password },
      { ip },
    );
    expect([limited.status, limited.body.error]).toEqual([429, 'slow_down']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await sessions()).toBe(before);
  });
});

describe('the refresh_token grant', () => {
  it('rotates: the new refresh token works once, the old one is invalid_grant', async () => {
    const first = await token({ grant_type: 'password', username: user.username, password: user.password });
    const second = await token({
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token ?? '',
    });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    const me = await rest(server.url, 'GET', '/api/me', { token: second.body.access_token });
    expect(me.status).toBe(200);
    const reused = await token({
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token ?? '',
    });
    expect([reused.status, reused.body.error]).toEqual([400, 'invalid_grant']);
  });
});

describe('malformed requests', () => {
  it.each([
    ['no grant_type', 'username=a&password=b', 'invalid_request'],
    ['an unknown grant', 'grant_type=client_credentials', 'unsupported_grant_type'],
    ['no password', 'grant_type=password&username=a', 'invalid_request'],
    ['a repeated parameter', 'grant_type=password&username=a&username=b&password=c', 'invalid_request'],
    ['no refresh token', 'grant_type=refresh_token', 'invalid_request'],
  ])('%s: 400 %s', async (_, form, error) => {
    const before = await sessions();
    const answer = await token(form);
    expect([answer.status, answer.body.error]).toEqual([400, error]);
    expect(await sessions()).toBe(before);
  });

  it('a JSON body is invalid_request: the form is the protocol', async () => {
    const response = await fetch(`${server.url}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username: user.username, password: user.password }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });
});
