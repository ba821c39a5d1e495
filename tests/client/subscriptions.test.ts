// Live task progress through the client: watchTask over WebSocket and SSE, and a WebSocket dropped mid-task that
// reconnects and carries on from its last event id, with nothing missed and nothing repeated.
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocrpcClient, type TaskOutput } from '../../client/src/index.js';
import type { AppRouter } from '../../src/app-router.js';
import { registerUser, type TestUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

let server: TestServer<AppRouter>;
let user: TestUser;
beforeAll(async () => {
  server = await startTestServer({ env: { AUTH_RATE_LIMIT: '1000' } });
  user = await registerUser(server);
});
afterAll(async () => {
  await server?.close();
});

const auth = () => ({ getAccessToken: () => user.session.accessToken });
const wsConnections = () => server.logs.lines().filter((l) => l.msg === 'ws connected').length;

async function collect(states: AsyncIterable<TaskOutput>, onEach?: (task: TaskOutput) => void) {
  const seen: TaskOutput[] = [];
  for await (const task of states) {
    seen.push(task);
    onEach?.(task);
  }
  return seen;
}

function expectInOrderOnce(states: TaskOutput[]) {
  const seqs = states.map((s) => s.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(new Set(seqs).size).toBe(seqs.length);
}

describe('watchTask', () => {
  it('yields every state over WebSocket and ends with the task', async () => {
    const client = createDocrpcClient({ url: server.url, auth: auth() });
    const task = await client.api.task.createDemo.mutate({ steps: 3, stepMs: 30 });
    const states = await collect(client.watchTask(task.id));
    expectInOrderOnce(states);
    expect(states.at(-1)).toMatchObject({ status: 'succeeded', progress: 100 });
    await client.close();
  });

  it('yields every state over SSE (httpSubscriptionLink) too', async () => {
    const client = createDocrpcClient({ url: server.url, auth: auth(), subscriptions: 'sse', EventSource });
    expect(client.webSocket).toBeNull();
    const task = await client.api.task.createDemo.mutate({ steps: 3, stepMs: 30 });
    const states = await collect(client.watchTask(task.id));
    expectInOrderOnce(states);
    expect(states.at(-1)?.status).toBe('succeeded');
    const sseRequests = server.logs
      .lines()
      .filter((l) => l.msg === 'request' && l.procedure === 'task.onProgress');
    expect(sseRequests.length).toBeGreaterThanOrEqual(1);
    await client.close();
  });

  it('stops quietly when its signal aborts, and fails with the app code for a task that is not there', async () => {
    const client = createDocrpcClient({ url: server.url, auth: auth() });
    const task = await client.api.task.createDemo.mutate({ steps: 50, stepMs: 100 });
    const controller = new AbortController();
    const states = await collect(client.watchTask(task.id, { signal: controller.signal }), () =>
      controller.abort(),
    );
    expect(states).toHaveLength(1);
    await client.api.task.cancel.mutate({ id: task.id });
    const missing = await collect(client.watchTask('00000000-0000-4000-8000-000000000000')).catch(
      (e: unknown) => e,
    );
    expect((missing as { data?: { appCode?: string } }).data?.appCode).toBe('TASK_NOT_FOUND');
    await client.close();
  });
});

describe('WebSocket reconnect', () => {
  it('a socket dropped mid-task reconnects and resumes from the last event id: nothing missed, nothing twice', async () => {
    const proxy = await startTcpProxy(server.app.port);
    const interrupted = createDocrpcClient({
      url: `http://127.0.0.1:${proxy.port}`,
      auth: auth(),
      reconnectDelayMs: () => 50,
    });
    const direct = createDocrpcClient({ url: server.url, auth: auth() });
    try {
      // Steps far apart: the reconnect is over long before the next change, so a re-subscription without the
      // last event id would be answered with the state already delivered (a repeat).
      const task = await direct.api.task.createDemo.mutate({ steps: 5, stepMs: 600 });
      const connectionsBefore = wsConnections();
      let cutAfterSeq: number | undefined;
      const [seen, reference] = await Promise.all([
        collect(interrupted.watchTask(task.id), (state) => {
          if (cutAfterSeq === undefined && state.status === 'running' && state.progress > 0) {
            cutAfterSeq = state.seq;
            proxy.cutAll();
          }
        }),
        collect(direct.watchTask(task.id)),
      ]);
      expect(cutAfterSeq).toBeDefined();
      expect(wsConnections() - connectionsBefore).toBeGreaterThanOrEqual(3); // direct, interrupted, its reconnect
      expectInOrderOnce(seen);
      expect(seen.at(-1)).toMatchObject({ status: 'succeeded', progress: 100 });
      expect(seen.some((s) => (s.seq ?? 0) > (cutAfterSeq ?? Infinity))).toBe(true);
      // Every progress step the uninterrupted watcher saw, the interrupted one saw too.
      const progressOf = (states: TaskOutput[]) => [...new Set(states.map((s) => s.progress))];
      expect(progressOf(seen)).toEqual(expect.arrayContaining(progressOf(reference)));
    } finally {
      await interrupted.close();
      await direct.close();
      await proxy.close();
    }
  });
});
