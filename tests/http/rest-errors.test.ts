// REST errors carry what tRPC's carry (appCode, message, field errors, request id) with the same statuses,
// rate limits send Retry-After, a failed call leaves nothing behind; long work answers 202 + Location.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { registerUser, type TestUser } from '../helpers/auth.js';
import { fetchFrom, freshIp } from '../helpers/from-ip.js';
import { type RestErrorBody, rest, restAppCode } from '../helpers/rest.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const LOGIN_LIMIT = 3;
let server: TestServer<AppRouter>;
let user: TestUser;
let token: string;
beforeAll(async () => {
  server = await startTestServer({
    env: {
      AUTH_RATE_LIMIT: String(LOGIN_LIMIT),
      AUTH_RATE_LIMIT_WINDOW_SECONDS: '600',
      DEMO_TASKS_ENABLED: 'true',
    },
  });
  user = await registerUser(server);
  token = user.session.accessToken;
});
afterAll(async () => {
  await server?.close();
});

async function count(table: 'tasks' | 'sessions' | 'files'): Promise<number> {
  const [row] = await server.app.database.sql<
    { n: number }[]
  >`select count(*)::int as n from ${server.app.database.sql(table)}`;
  return row?.n ?? -1;
}

/** What tRPC answers for the same call over plain HTTP, for comparison. */
async function overTrpc(path: string, input: unknown, bearer: string) {
  const response = await fetch(`${server.url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ json: input }),
  });
  const body = (await response.json()) as { error: { json: RestErrorBody['error'] } };
  return { status: response.status, error: body.error.json };
}

describe('errors over REST', () => {
  it('validation: 400 VALIDATION_ERROR with the field messages tRPC gives, and no task row', async () => {
    const tasksBefore = await count('tasks');
    const input = { steps: 0, stepMs: 'soon' };
    const answer = await rest<RestErrorBody>(server.url, 'POST', '/api/tasks/demo', { token, body: input });
    expect(answer.status).toBe(400);
    const { data, message } = answer.body.error;
    expect(data.appCode).toBe('VALIDATION_ERROR');
    expect(data.requestId).toBe(answer.headers.get('x-request-id'));
    expect(Object.keys(data.fieldErrors ?? {}).sort()).toEqual(['stepMs', 'steps']);
    const trpc = await overTrpc('task.createDemo', input, token);
    expect(trpc.status).toBe(answer.status);
    expect(trpc.error.message).toBe(message);
    expect(trpc.error.data.fieldErrors).toEqual(data.fieldErrors);
    expect(await count('tasks')).toBe(tasksBefore);
  });

  it('a body that is no JSON, or not JSON at all, is refused before any work', async () => {
    const tasksBefore = await count('tasks');
    const malformed = await rest(server.url, 'POST', '/api/tasks/demo', { token, body: '{"steps": ' });
    expect(malformed.status).toBe(400);
    expect(restAppCode(malformed)).toBe('VALIDATION_ERROR');
    const form = await rest(server.url, 'POST', '/api/tasks/demo', {
      token,
      body: 'steps=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(restAppCode(form)).toBe('VALIDATION_ERROR');
    const tooLarge = await rest(server.url, 'POST', '/api/tasks/demo', {
      token,
      body: { steps: 1, stepMs: 0, pad: 'x'.repeat(server.config.maxRequestBytes) },
    });
    expect(tooLarge.status).toBe(413);
    expect(restAppCode(tooLarge)).toBe('VALIDATION_ERROR');
    expect(await count('tasks')).toBe(tasksBefore);
  });

  it('not found: 404 with the procedure own code (TASK_NOT_FOUND), as over tRPC', async () => {
    const id = randomUUID();
    const got = await rest(server.url, 'GET', `/api/tasks/${id}`, { token });
    expect([got.status, restAppCode(got)]).toEqual([404, 'TASK_NOT_FOUND']);
    const cancelled = await rest(server.url, 'POST', `/api/tasks/${id}/cancel`, { token });
    expect([cancelled.status, restAppCode(cancelled)]).toEqual([404, 'TASK_NOT_FOUND']);
    const trpc = await overTrpc('task.cancel', { id }, token);
    expect([trpc.status, trpc.error.data.appCode]).toEqual([404, 'TASK_NOT_FOUND']);
  });

  it('unauthorized: 401 AUTH_REQUIRED without a token, AUTH_INVALID with a bad one, nothing written', async () => {
    const tasksBefore = await count('tasks');
    const anonymous = await rest(server.url, 'POST', '/api/tasks/demo', { body: { steps: 1, stepMs: 0 } });
    expect([anonymous.status, restAppCode(anonymous)]).toEqual([401, 'AUTH_REQUIRED']);
    const forged = await rest(server.url, 'GET', '/api/me', { token: 'drpc_not_a_real_token' });
    expect([forged.status, restAppCode(forged)]).toEqual([401, 'AUTH_INVALID']);
    expect(await count('tasks')).toBe(tasksBefore);
  });

  it('forbidden scope: an API token without tasks:write gets 403 FORBIDDEN and starts nothing', async () => {
    const created = await rest<{ secret: string }>(server.url, 'POST', '/api/tokens', {
      token,
      body: { name: 'read-only script', scopes: ['profile:read', 'tasks:read'] },
    });
    expect(created.status).toBe(200);
    const apiToken = created.body.secret;
    expect(apiToken).toMatch(/^drpc_/);
    // The API token is a Bearer like any other where its scope allows.
    const me = await rest<{ username: string }>(server.url, 'GET', '/api/me', { token: apiToken });
    expect([me.status, me.body.username]).toEqual([200, user.username]);
    const tasksBefore = await count('tasks');
    const refused = await rest(server.url, 'POST', '/api/tasks/demo', {
      token: apiToken,
      body: { steps: 1, stepMs: 0 },
    });
    expect([refused.status, restAppCode(refused)]).toEqual([403, 'FORBIDDEN']);
    expect(await count('tasks')).toBe(tasksBefore);
  });

  it('rate limit: 429 RATE_LIMIT_EXCEEDED with Retry-After, and no session started', async () => {
    const ip = freshIp();
    const login = (password: string) =>
      rest<RestErrorBody>(server.url, 'POST', '/api/auth/login', {
        body: { login: user.username, password },
        fetch: fetchFrom(ip),
      });
    for (let attempt = 0; attempt < LOGIN_LIMIT; attempt++) {
      expect(restAppCode(await login('wrong password'))).toBe('AUTH_INVALID');
    }
    const sessionsBefore = await count('sessions');
    // Even the right password is refused now: the limit counts attempts, not failures.
    const limited = await login(user.password);
    expect(limited.status).toBe(429);
    expect(limited.body.error.data.appCode).toBe('RATE_LIMIT_EXCEEDED');
    const seconds = limited.body.error.data.retryAfterSeconds;
    expect(seconds).toBeGreaterThan(0);
    expect(limited.headers.get('retry-after')).toBe(String(seconds));
    expect(await count('sessions')).toBe(sessionsBefore);
  });
});

describe('long work over REST', () => {
  it('answers 202 Accepted with Location naming the task, before the task ends', async () => {
    const started = performance.now();
    const answer = await rest<{ id: string; status: string }>(server.url, 'POST', '/api/tasks/demo', {
      token,
      body: { steps: 3, stepMs: 2_000 },
    });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(answer.status).toBe(202);
    expect(answer.headers.get('location')).toBe(`/api/tasks/${answer.body.id}`);
    expect(['queued', 'running']).toContain(answer.body.status);
    const polled = await rest<{ id: string }>(server.url, 'GET', answer.headers.get('location') ?? '', {
      token,
    });
    expect(polled.body.id).toBe(answer.body.id);

    const cancelled = await rest<{ status: string }>(
      server.url,
      'POST',
      `/api/tasks/${answer.body.id}/cancel`,
      {
        token,
      },
    );
    expect([cancelled.status, cancelled.body.status]).toEqual([200, 'cancelled']);
    const retried = await rest<{ id: string }>(server.url, 'POST', `/api/tasks/${answer.body.id}/retry`, {
      token,
    });
    expect(retried.status).toBe(202);
    expect(retried.headers.get('location')).toBe(`/api/tasks/${answer.body.id}`);
    await rest(server.url, 'POST', `/api/tasks/${answer.body.id}/cancel`, { token });
  });

  it('a task that cannot start answers its error, with no Location', async () => {
    const answer = await rest(server.url, 'POST', '/api/documents', {
      token,
      body: { fileId: randomUUID() },
    });
    expect([answer.status, restAppCode(answer)]).toEqual([404, 'RESOURCE_NOT_FOUND']);
    expect(answer.headers.get('location')).toBeNull();
  });
});
