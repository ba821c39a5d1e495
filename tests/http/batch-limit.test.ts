// A batch's cost is bounded: up to MAX_BATCH_SIZE calls in one HTTP request or one WebSocket message are
// served, a larger batch is refused whole with 400 VALIDATION_ERROR before any of its calls runs.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDocrpcClient } from '../../client/src/index.js';
import type { AppRouter } from '../../src/app-router.js';
import { fetchFrom, freshIp } from '../helpers/from-ip.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** MAX_BATCH_SIZE's default. */
const max = 50;
let server: TestServer<AppRouter>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const loginInput = () => ({ json: { login: `nobody_${randomBytes(6).toString('hex')}`, password: 'x' } });

async function countRows(): Promise<number> {
  const [row] = await server.app.database.sql<{ n: number }[]>`select count(*)::int as n from rate_limits`;
  return row?.n ?? -1;
}

function postBatch(ip: string, calls: number) {
  const body = Object.fromEntries(Array.from({ length: calls }, (_, i) => [i, loginInput()]));
  return fetchFrom(ip)(`${server.url}/trpc/${Array(calls).fill('auth.login').join(',')}?batch=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

type ErrorBody = { error: { json: { message: string; data: { appCode: string; httpStatus: number } } } };

describe('batches over HTTP', () => {
  it('has a sensible default bound', () => {
    expect(server.config.maxBatchSize).toBe(max);
  });

  it('serves a batch of exactly MAX_BATCH_SIZE calls', async () => {
    const inputs = Object.fromEntries(Array.from({ length: max }, (_, i) => [i, { json: null }]));
    const response = await fetch(
      `${server.url}/trpc/${Array(max).fill('system.info').join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`,
    );
    expect(response.status).toBe(200);
    expect((await response.json()) as unknown[]).toHaveLength(max);
  });

  it('refuses one call more with 400 before any call runs', async () => {
    const ip = freshIp();
    const rowsBefore = await countRows();
    const response = await postBatch(ip, max + 1);
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.json.data).toMatchObject({ appCode: 'VALIDATION_ERROR', httpStatus: 400 });
    expect(body.error.json.message).toMatch(/batch/i);
    // No call ran: not even the per-IP counter every login touches first was written.
    expect(await countRows()).toBe(rowsBefore);
  });

  it('refuses the 1,000-call batch of the issue the same way', async () => {
    const rowsBefore = await countRows();
    const response = await postBatch(freshIp(), 1000);
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.json.data.appCode).toBe('VALIDATION_ERROR');
    expect(await countRows()).toBe(rowsBefore);
  });
});

describe('the typed client', () => {
  it('splits more calls than a batch may carry into several batches', async () => {
    const { api } = createDocrpcClient({ url: server.url });
    const infos = await Promise.all(Array.from({ length: max * 2 + 1 }, () => api.system.info.query()));
    expect(infos).toHaveLength(max * 2 + 1);
    for (const info of infos) expect(info.serverTime).toBeInstanceOf(Date);
  });
});

describe('batches over WebSocket', () => {
  // A reconnecting client resends all its subscriptions at once: the bound is the larger of the two.
  const wsMax = () =>
    Math.max(server.config.maxBatchSize, server.config.webSocket.maxSubscriptionsPerConnection);

  async function sendBatch(calls: number) {
    const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/trpc`);
    try {
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const answers: { id: number; error?: { json: { data: { appCode: string } } }; result?: unknown }[] = [];
      const all = new Promise<void>((resolve) =>
        socket.on('message', (data) => {
          answers.push(JSON.parse(String(data)));
          if (answers.length === calls) resolve();
        }),
      );
      const messages = Array.from({ length: calls }, (_, i) => ({
        id: i + 1,
        method: 'mutation',
        params: { path: 'auth.login', input: loginInput() },
      }));
      socket.send(JSON.stringify(messages));
      await all;
      return answers;
    } finally {
      socket.close();
    }
  }

  it('answers every call of a larger batch with VALIDATION_ERROR and runs none', async () => {
    const rowsBefore = await countRows();
    const answers = await sendBatch(wsMax() + 1);
    expect(answers.map((answer) => answer.error?.json.data.appCode)).toEqual(
      Array(wsMax() + 1).fill('VALIDATION_ERROR'),
    );
    expect(answers.map((answer) => answer.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: wsMax() + 1 }, (_, i) => i + 1),
    );
    expect(await countRows()).toBe(rowsBefore);
  });

  it('runs every call of a batch as large as the bound', async () => {
    const ipCounter = async () => {
      const [row] = await server.app.database.sql<{ count: number }[]>`
        select count from rate_limits where key = 'login:ip:127.0.0.1'`;
      return row?.count ?? 0;
    };
    const before = await ipCounter();
    const answers = await sendBatch(wsMax());
    // Every call ran: each is refused by the login limits or by its password, never by the batch bound,
    // and each was counted against the socket's IP.
    for (const answer of answers) {
      expect(['AUTH_INVALID', 'RATE_LIMIT_EXCEEDED']).toContain(answer.error?.json.data.appCode);
    }
    expect(await ipCounter()).toBe(before + wsMax());
  });
});
