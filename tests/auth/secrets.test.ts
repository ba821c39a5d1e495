// No secret ever leaks: not the password, its hash, a refresh token, an API token or an LLM key, in any
// log line; and outside the one response that hands a secret out, in no response either.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let sql: postgres.Sql;
beforeAll(async () => {
  // trace: the most talkative level, so anything logged at all is inspected.
  server = await startTestServer({ env: { LOG_LEVEL: 'trace' } });
  sql = postgres(server.database.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await server?.close();
});

describe('secrets', () => {
  it('appear in no log line and only in the response that issues them', async () => {
    const responses: { path: string; body: string }[] = [];
    async function call(path: string, input: unknown, token?: string, method = 'POST') {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      const response =
        method === 'POST'
          ? await fetch(`${server.url}/trpc/${path}`, {
              method,
              headers,
              body: JSON.stringify({ json: input }),
            })
          : await fetch(`${server.url}/trpc/${path}`, { headers });
      const body = await response.text();
      responses.push({ path, body });
      return (
        (JSON.parse(body) as { result?: { data: { json: Record<string, unknown> } } }).result?.data.json ?? {}
      );
    }

    const password = 'my very secret passphrase 42';
    const newPassword = 'another secret passphrase 43';
    const llmKey = 'sk-live-0123456789abcdefSECRET';
    const session = await call('auth.register', {
      username: 'keeper',
      email: 'keeper@example.com',
      password,
    });
    const access = String(session.accessToken);
    const refresh1 = String(session.refreshToken);
    const rotated = await call('auth.refresh', { refreshToken: refresh1 });
    await call('auth.refresh', { refreshToken: refresh1 }); // reuse: logged as a warning, must not log the token
    const login = await call('auth.login', { login: 'keeper', password });
    const access2 = String(login.accessToken);
    await call('auth.login', { login: 'keeper', password: 'wrong but also secret 99' });
    await call('auth.updateSettings', { llmApiKey: llmKey }, access2);
    const token = await call('auth.createToken', { name: 'ci', scopes: ['profile:read'] }, access2);
    const apiSecret = String(token.secret);
    await call('auth.me', undefined, apiSecret, 'GET');
    await call('auth.me', undefined, access2, 'GET');
    await call('auth.changePassword', { current: password, next: newPassword }, access2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [{ password_hash: hash } = { password_hash: '' }] = await sql<{ password_hash: string }[]>`
      select password_hash from users where username = 'keeper'`;

    const secrets = {
      password,
      newPassword,
      wrongPassword: 'wrong but also secret 99',
      hash,
      hashSalt: hash.split('$')[4] ?? 'missing',
      refresh1,
      refresh2: String(rotated.refreshToken),
      refresh3: String(login.refreshToken),
      llmKey,
      apiSecret,
      access,
    };
    const logs = server.logs.text();
    expect(logs.length).toBeGreaterThan(1000);
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length, name).toBeGreaterThan(8);
      expect(logs.includes(value), `${name} in logs`).toBe(false);
    }

    const issuedBy: Record<string, string[]> = {
      access: ['auth.register'],
      refresh1: ['auth.register'],
      refresh2: ['auth.refresh'],
      refresh3: ['auth.login'],
      apiSecret: ['auth.createToken'],
    };
    for (const [name, value] of Object.entries(secrets)) {
      const leaks = responses.filter(
        (r) => r.body.includes(value) && !(issuedBy[name] ?? []).includes(r.path),
      );
      expect(
        leaks.map((r) => r.path),
        `${name} in responses`,
      ).toEqual([]);
    }
  });
});
