// What one WebSocket client can hold: a bounded number of live subscriptions per connection, no socket
// that never authenticates, and malformed frames logged as the client's fault (warn, rate-limited).
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WS_CLOSE_AUTH_TIMEOUT } from '../../src/http/websocket.js';
import { registerUser, type TestUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type TestRouter, testRouter } from '../helpers/test-router.js';

const MAX_SUBSCRIPTIONS = 3;
// Long enough that a signed-in socket authenticates in time on a loaded machine, short enough to wait out.
const AUTH_TIMEOUT_MS = 1_500;

let server: TestServer<TestRouter>;
let user: TestUser;
beforeAll(async () => {
  server = await startTestServer({
    router: testRouter,
    env: {
      WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: String(MAX_SUBSCRIPTIONS),
      WS_AUTH_TIMEOUT_MS: String(AUTH_TIMEOUT_MS),
    },
  });
  user = await registerUser(server);
});
afterAll(async () => {
  await server?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Ticks {
  count: number;
  error: unknown;
  stop(): void;
}

function ticks(client: TestServer<TestRouter>['ws']): Ticks {
  const state: Ticks = { count: 0, error: undefined, stop: () => {} };
  const subscription = client.test.ticks.subscribe(
    { everyMs: 20 },
    {
      onData: () => {
        state.count += 1;
      },
      onError: (error) => {
        state.error = error;
      },
    },
  );
  state.stop = () => subscription.unsubscribe();
  return state;
}

async function until(check: () => boolean, timeoutMs = 3_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('subscriptions per connection', () => {
  it('refuses the one over the bound with RATE_LIMIT_EXCEEDED; the others keep streaming', async () => {
    const { ws } = server.as(user.session.accessToken);
    const held = Array.from({ length: MAX_SUBSCRIPTIONS }, () => ticks(ws));
    await until(() => held.every((t) => t.count > 0));
    const over = ticks(ws);
    await until(() => over.error !== undefined);
    expect(over.error).toBeInstanceOf(TRPCClientError);
    expect((over.error as TRPCClientError<TestRouter>).data).toMatchObject({
      appCode: 'RATE_LIMIT_EXCEEDED',
    });
    expect((over.error as Error).message).toContain(`At most ${MAX_SUBSCRIPTIONS} subscriptions`);
    expect(over.count).toBe(0);

    const before = held.map((t) => t.count);
    await sleep(150);
    held.forEach((t, i) => {
      expect(t.error).toBeUndefined();
      expect(t.count).toBeGreaterThan(before[i] ?? 0);
    });

    // A stopped subscription gives its slot back.
    held[0]?.stop();
    await sleep(100);
    const replacement = ticks(ws);
    await until(() => replacement.count > 0 || replacement.error !== undefined);
    expect(replacement.error).toBeUndefined();
    for (const t of [...held, replacement]) t.stop();
  });
});

/** A raw socket's close code, or 'open' if it is still open after `ms`. */
function closeCodeWithin(socket: WebSocket, ms: number): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('open'), ms);
    socket.addEventListener('close', (event) => {
      clearTimeout(timer);
      resolve(event.code);
    });
  });
}

function openSocket(query = ''): Promise<WebSocket> {
  const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/trpc${query}`);
  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => resolve(socket));
    socket.addEventListener('error', reject);
  });
}

describe('a connection that never authenticates', () => {
  it('is closed after WS_AUTH_TIMEOUT_MS, whether it promised connectionParams or sent no credential', async () => {
    const silent = await openSocket('?connectionParams=1');
    const anonymous = await openSocket();
    const started = Date.now();
    expect(
      await Promise.all([
        closeCodeWithin(silent, AUTH_TIMEOUT_MS * 4),
        closeCodeWithin(anonymous, AUTH_TIMEOUT_MS * 4),
      ]),
    ).toEqual([WS_CLOSE_AUTH_TIMEOUT, WS_CLOSE_AUTH_TIMEOUT]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(AUTH_TIMEOUT_MS - 100);
  });

  it('is closed too when the token it sent does not authenticate', async () => {
    const socket = await openSocket('?connectionParams=1');
    socket.send(JSON.stringify({ method: 'connectionParams', data: { token: 'not-a-token' } }));
    expect(await closeCodeWithin(socket, AUTH_TIMEOUT_MS * 4)).toBe(WS_CLOSE_AUTH_TIMEOUT);
  });

  it('stays open once its connectionParams token authenticates', async () => {
    const socket = await openSocket('?connectionParams=1');
    socket.send(JSON.stringify({ method: 'connectionParams', data: { token: user.session.accessToken } }));
    expect(await closeCodeWithin(socket, AUTH_TIMEOUT_MS * 3)).toBe('open');
    socket.close();
  });
});

/** Opens a WebSocket by hand and sends one frame no client may send (RSV2 set), then waits for the close. */
async function sendMalformedFrame(): Promise<void> {
  const { port } = new URL(server.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    'GET /trpc HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await new Promise((resolve) => socket.once('data', resolve));
  // FIN + RSV2 + text opcode; masked, empty payload.
  socket.write(Buffer.from([0xa1, 0x80, 1, 2, 3, 4]));
  await new Promise((resolve) => socket.once('close', resolve));
}

describe('malformed frames', () => {
  it('are logged at warn, not as internal errors, and at most 10 lines a minute', async () => {
    const from = server.logs.lines().length;
    for (let i = 0; i < 15; i++) await sendMalformedFrame();
    await sleep(50);
    const lines = server.logs.lines().slice(from);
    const warnings = lines.filter((l) => l.msg === 'ws malformed frame');
    expect(warnings).toHaveLength(10);
    expect(warnings.every((l) => l.level === 40)).toBe(true);
    expect(lines.filter((l) => l.msg === 'internal error' || (l.level as number) >= 50)).toEqual([]);
  });
});
