// Rate limits on login/register/refresh: refused with RATE_LIMIT_EXCEEDED and Retry-After, then lifted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { connectDatabase } from '../../src/db/client.js';
import { consumeRateLimit, MAX_CALLER_WINDOW_SECONDS } from '../../src/rate-limit/rate-limit.js';
import { perCallerRateLimit } from '../../src/trpc/middlewares/rate-limit.js';

import { appClient, appCodeOf, registerUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
beforeAll(async () => {
  server = await startTestServer({ env: { AUTH_RATE_LIMIT: '3', AUTH_RATE_LIMIT_WINDOW_SECONDS: '2' } });
});
afterAll(async () => {
  await server?.close();
});

async function login(login: string, password: string) {
  return fetch(`${server.url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: { login, password } }),
  });
}

describe('login rate limit', () => {
  it('refuses the attempt past the limit with 429 and a retry-after, then lets it through again', async () => {
    const user = await registerUser(server);
    for (let i = 0; i < 3; i++) expect((await login(user.email, 'wrong-password!')).status).toBe(401);
    const refused = await login(user.email, user.password);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    const body = (await refused.json()) as {
      error: { json: { data: { appCode: string; retryAfterSeconds: number } } };
    };
    expect(body.error.json.data).toMatchObject({
      appCode: 'RATE_LIMIT_EXCEEDED',
      retryAfterSeconds: retryAfter,
    });

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    expect((await login(user.email, user.password)).status).toBe(200);
  });

  it('counts per login identifier as well as per IP', async () => {
    // Registration has its own counter; the window from the test above has passed or is on another key.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const api = appClient(server.url);
    for (let i = 0; i < 3; i++)
      await appCodeOf(api.auth.login.mutate({ login: 'target@example.com', password: 'guess-123' }));
    expect(
      await appCodeOf(api.auth.login.mutate({ login: 'target@example.com', password: 'guess-123' })),
    ).toBe('RATE_LIMIT_EXCEEDED');
  });
});

describe('consumeRateLimit', () => {
  it('is atomic under concurrency: exactly `limit` of many simultaneous hits pass', async () => {
    const handle = connectDatabase(server.database.url, { max: 8 });
    try {
      const rule = { key: `concurrency:${Date.now()}`, limit: 5, windowSeconds: 60 };
      const verdicts = await Promise.all(Array.from({ length: 20 }, () => consumeRateLimit(handle.db, rule)));
      expect(verdicts.filter((v) => v.allowed)).toHaveLength(5);
    } finally {
      await handle.close();
    }
  });
});

describe('perCallerRateLimit', () => {
  it('refuses a window longer than housekeeping keeps counters', () => {
    expect(() => perCallerRateLimit('summarize', 20, MAX_CALLER_WINDOW_SECONDS)).not.toThrow();
    expect(() => perCallerRateLimit('summarize', 20, MAX_CALLER_WINDOW_SECONDS + 1)).toThrow(
      /at most 3600 s/,
    );
  });
});
