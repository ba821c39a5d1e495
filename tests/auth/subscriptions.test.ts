// Subscriptions are authenticated at the start and keep being: a revoked session or an expired token
// ends the stream with AUTH_EXPIRED instead of streaming to it forever.
import { TRPCClientError } from '@trpc/client';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appClient, registerUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type TestRouter, testRouter } from '../helpers/test-router.js';

let server: TestServer<TestRouter>;
beforeAll(async () => {
  server = await startTestServer({
    router: testRouter,
    env: { AUTH_RECHECK_MS: '100', ACCESS_TOKEN_TTL_SECONDS: '3' },
  });
});
afterAll(async () => {
  await server?.close();
});

interface Outcome {
  ticks: number;
  error: unknown;
}

interface Collecting {
  /** Settles at the first tick, or when the subscription ends without one (the outcome then says why). */
  streaming: Promise<void>;
  outcome: Promise<Outcome>;
}

function collect(client: TestServer<TestRouter>['ws'], untilTicks = Number.POSITIVE_INFINITY): Collecting {
  let streamingNow: () => void = () => {};
  const streaming = new Promise<void>((resolve) => {
    streamingNow = resolve;
  });
  const outcome = new Promise<Outcome>((resolve) => {
    let ticks = 0;
    const end = (result: Outcome) => {
      streamingNow();
      resolve(result);
    };
    const subscription = client.test.ticks.subscribe(
      { everyMs: 20 },
      {
        onData: () => {
          ticks += 1;
          streamingNow();
          if (ticks >= untilTicks) {
            end({ ticks, error: undefined });
            subscription.unsubscribe();
          }
        },
        onError: (error) => end({ ticks, error }),
        onComplete: () => end({ ticks, error: 'completed' }),
      },
    );
  });
  return { streaming, outcome };
}

const appCode = (error: unknown) =>
  error instanceof TRPCClientError ? (error.data as { appCode?: string } | undefined)?.appCode : error;

describe('authenticated subscriptions', () => {
  it('stream to a signed-in caller', async () => {
    const user = await registerUser(server);
    const outcome = await collect(server.as(user.session.accessToken).ws, 5).outcome;
    expect(outcome).toEqual({ ticks: 5, error: undefined });
  });

  it('refuse a caller without credentials', async () => {
    const outcome = await collect(server.ws).outcome;
    expect(appCode(outcome.error)).toBe('AUTH_REQUIRED');
    expect(outcome.ticks).toBe(0);
  });

  it('end with AUTH_EXPIRED when the session is revoked', async () => {
    const user = await registerUser(server);
    const running = collect(server.as(user.session.accessToken).ws);
    // Revoke only once the stream is running: a subscription asked for after the revocation is refused
    // at its start (AUTH_INVALID), which is another test.
    await running.streaming;
    await appClient(server.url, user.session.accessToken).auth.logout.mutate();
    const outcome = await running.outcome;
    expect(appCode(outcome.error)).toBe('AUTH_EXPIRED');
    expect(outcome.ticks).toBeGreaterThan(0);
  });

  it('end with AUTH_EXPIRED when the session is revoked outside this process (in SQL)', async () => {
    const user = await registerUser(server);
    const running = collect(server.as(user.session.accessToken).ws);
    await running.streaming;
    const sql = postgres(server.database.url, { max: 1, onnotice: () => {} });
    await sql`update sessions set revoked_at = now() where user_id = ${user.session.user.id}`;
    await sql.end();
    const outcome = await running.outcome;
    expect(appCode(outcome.error)).toBe('AUTH_EXPIRED');
    expect(outcome.ticks).toBeGreaterThan(0);
  });

  it('end every subscription of a revoked session, though they share one re-check', async () => {
    const user = await registerUser(server);
    const bystander = await registerUser(server);
    const ws = server.as(user.session.accessToken).ws;
    const running = Array.from({ length: 10 }, () => collect(ws));
    const unaffected = collect(server.as(bystander.session.accessToken).ws, 30);
    await Promise.all([...running, unaffected].map((c) => c.streaming));
    await appClient(server.url, user.session.accessToken).auth.logout.mutate();
    for (const outcome of await Promise.all(running.map((c) => c.outcome))) {
      expect(appCode(outcome.error)).toBe('AUTH_EXPIRED');
      expect(outcome.ticks).toBeGreaterThan(0);
    }
    expect(await unaffected.outcome).toEqual({ ticks: 30, error: undefined });
  });

  it('end with AUTH_EXPIRED when the access token expires', async () => {
    const user = await registerUser(server);
    const started = Date.now();
    const outcome = await collect(server.as(user.session.accessToken).ws).outcome;
    expect(appCode(outcome.error)).toBe('AUTH_EXPIRED');
    expect(Date.now()).toBeGreaterThanOrEqual(user.session.accessTokenExpiresAt.getTime() - 50);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('end when an API token is revoked', async () => {
    const user = await registerUser(server);
    const account = appClient(server.url, user.session.accessToken);
    const { token, secret } = await account.auth.createToken.mutate({
      name: 'stream',
      scopes: ['tasks:read'],
    });
    const running = collect(server.as(secret).ws);
    await running.streaming;
    await account.auth.revokeToken.mutate({ id: token.id });
    expect(appCode((await running.outcome).error)).toBe('AUTH_EXPIRED');
  });
});
