// Tasks end to end: pg-boss jobs run by the in-process worker, live progress over WebSocket and SSE,
// cancel, retry, failures with their appCode, resumable subscriptions and owner scoping.
import {
  createTRPCClient,
  createWSClient,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  wsLink,
} from '@trpc/client';
import { EventSource } from 'eventsource';
import superjson from 'superjson';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import type { TaskOutput } from '../../src/modules/tasks/schemas.js';
import { appClient, appCodeOf, registerUser, type TestUser } from '../helpers/auth.js';
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

type Client = ReturnType<TestServer<AppRouter>['as']>['ws'];

/** Collects onProgress events until the subscription completes (or errors). */
function watch(client: Client | ReturnType<typeof sseClient>, taskId: string, lastEventId?: string) {
  return new Promise<{ events: { id: string; task: TaskOutput }[]; error?: unknown }>((resolve) => {
    const events: { id: string; task: TaskOutput }[] = [];
    client.task.onProgress.subscribe(
      { taskId, ...(lastEventId ? { lastEventId } : {}) },
      {
        onData: (event) => events.push({ id: event.id, task: event.data }),
        onError: (error) => resolve({ events, error }),
        onComplete: () => resolve({ events }),
      },
    );
  });
}

function sseClient(token: string) {
  const url = `${server.url}/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        // Node has no EventSource of its own; browsers do.
        true: httpSubscriptionLink({ url, transformer: superjson, connectionParams: { token }, EventSource }),
        false: httpLink({ url, transformer: superjson, headers: { authorization: `Bearer ${token}` } }),
      }),
    ],
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not met in time');
}

describe('task lifecycle', () => {
  it('runs a demo task, streaming every state in order over WebSocket until it succeeds', async () => {
    const { ws } = server.as(user.session.accessToken);
    const task = await ws.task.createDemo.mutate({ steps: 4, stepMs: 50 });
    expect(task.status).toBe('queued');
    const { events, error } = await watch(ws, task.id);
    expect(error).toBeUndefined();
    const seqs = events.map((e) => Number(e.id));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const last = events.at(-1)?.task;
    expect(last).toMatchObject({ status: 'succeeded', progress: 100, result: { steps: 4 }, attempts: 1 });
    expect(
      events.some((e) => e.task.status === 'running' && e.task.progress > 0 && e.task.progress < 100),
    ).toBe(true);
  });

  it('streams over SSE (httpSubscriptionLink) too, authenticated by connectionParams', async () => {
    const sse = sseClient(user.session.accessToken);
    const task = await sse.task.createDemo.mutate({ steps: 3, stepMs: 30 });
    const { events, error } = await watch(sse, task.id);
    expect(error).toBeUndefined();
    expect(events.at(-1)?.task.status).toBe('succeeded');
  });

  it('resumes after a reconnect from the last event id, without repeats', async () => {
    const { ws } = server.as(user.session.accessToken);
    const task = await ws.task.createDemo.mutate({ steps: 3, stepMs: 150 });
    const all = await watch(ws, task.id);
    // Changes may be coalesced under load (the latest state wins), so the one before the last is taken.
    expect(all.events.length).toBeGreaterThanOrEqual(2);
    const middle = all.events.at(-2);
    const resumed = await watch(ws, task.id, middle?.id);
    expect(resumed.events.map((e) => e.id)).toEqual([all.events.at(-1)?.id]);
  });

  it('survives a dropped socket mid-task: the client reconnects and gets the rest exactly once', async () => {
    const proxy = await startTcpProxy(server.app.port);
    const connections = () => server.logs.lines().filter((l) => l.msg === 'ws connected').length;
    const connectionsBefore = connections();
    const wsClient = createWSClient({
      url: `ws://127.0.0.1:${proxy.port}/trpc`,
      connectionParams: { token: user.session.accessToken },
      retryDelayMs: () => 100,
    });
    try {
      const client = createTRPCClient<AppRouter>({
        links: [wsLink({ client: wsClient, transformer: superjson })],
      });
      const task = await client.task.createDemo.mutate({ steps: 30, stepMs: 40 });
      let cut = false;
      const { events, error } = await new Promise<{
        events: { id: string; task: TaskOutput }[];
        error?: unknown;
      }>((resolve) => {
        const events: { id: string; task: TaskOutput }[] = [];
        client.task.onProgress.subscribe(
          { taskId: task.id },
          {
            onData: (event) => {
              events.push({ id: event.id, task: event.data });
              if (!cut && event.data.progress >= 20) {
                cut = true;
                proxy.cutAll();
              }
            },
            onError: (e) => resolve({ events, error: e }),
            onComplete: () => resolve({ events }),
          },
        );
      });
      expect(cut).toBe(true);
      // The first socket and at least one reconnect.
      expect(connections() - connectionsBefore).toBeGreaterThanOrEqual(2);

      expect(error).toBeUndefined();
      const seqs = events.map((e) => Number(e.id));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(events.at(-1)?.task.status).toBe('succeeded');
    } finally {
      await wsClient.close();
      await proxy.close();
    }
  });

  it('cancels a running task: the handler stops and the task ends cancelled', async () => {
    const { ws } = server.as(user.session.accessToken);
    const task = await ws.task.createDemo.mutate({ steps: 100, stepMs: 50 });
    const watching = watch(ws, task.id);
    const api = appClient(server.url, user.session.accessToken);
    await waitFor(async () => (await api.task.get.query({ id: task.id })).status === 'running');
    const cancelled = await api.task.cancel.mutate({ id: task.id });
    expect(cancelled.status).toBe('cancelled');
    const { events } = await watching;
    expect(events.at(-1)?.task.status).toBe('cancelled');
    const progressAtCancel = (await api.task.get.query({ id: task.id })).progress;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const after = await api.task.get.query({ id: task.id });
    expect(after).toMatchObject({ status: 'cancelled', progress: progressAtCancel });
    expect(await appCodeOf(api.task.cancel.mutate({ id: task.id }))).toBe('TASK_ALREADY_COMPLETED');
  });

  it('retries a failing handler, then fails with its appCode; retry() runs it again', async () => {
    const api = appClient(server.url, user.session.accessToken);
    const task = await api.task.createDemo.mutate({ steps: 2, stepMs: 10, failAtStep: 2 });
    await waitFor(async () => (await api.task.get.query({ id: task.id })).status === 'failed', 20_000);
    const failed = await api.task.get.query({ id: task.id });
    expect(failed).toMatchObject({ status: 'failed', attempts: 2, error: { appCode: 'CONFLICT' } });
    expect(
      await appCodeOf(
        api.task.retry.mutate({ id: (await api.task.createDemo.mutate({ steps: 1, stepMs: 0 })).id }),
      ),
    ).toBe('CONFLICT');
    const again = await api.task.retry.mutate({ id: task.id });
    expect(again.status).toBe('queued');
    await waitFor(async () => (await api.task.get.query({ id: task.id })).status === 'failed', 20_000);
    expect((await api.task.get.query({ id: task.id })).attempts).toBeGreaterThan(2);
  }, 40_000);

  it('cancel then retry at once: the old run stops and writes nothing; the new run alone ends the task', async () => {
    const api = appClient(server.url, user.session.accessToken);
    const steps = 4;
    const stepMs = 800;
    const task = await api.task.createDemo.mutate({ steps, stepMs });
    // The first run has reported step 1 and sleeps out step 2: cancel and retry both land in that sleep, and
    // the retried run claims the row before the first one wakes to report again.
    await waitFor(async () => (await api.task.get.query({ id: task.id })).progress >= 25);
    await api.task.cancel.mutate({ id: task.id });
    await api.task.retry.mutate({ id: task.id });
    const retriedAt = Date.now();
    const { events } = await watch(server.as(user.session.accessToken).ws, task.id);
    const finishedAfterMs = Date.now() - retriedAt;

    const last = events.at(-1)?.task;
    expect(last).toMatchObject({ status: 'succeeded', attempts: 2, progress: 100, result: { steps } });
    // Every state from the retry on is the new run's: its steps in order, none of the old run's in between.
    const progress = events.map((e) => e.task.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // Success came from the run that slept through all its steps after the retry, not from the old one.
    expect(finishedAfterMs).toBeGreaterThanOrEqual(steps * stepMs);
    // The old run logged its stop before the new one ended, and only the new one succeeded.
    const lines = server.logs.lines().filter((line) => line.taskId === task.id);
    const stopped = lines.findIndex((line) => line.msg === 'task cancelled while running');
    const succeeded = lines.findIndex((line) => line.msg === 'task succeeded');
    expect(stopped).toBeGreaterThanOrEqual(0);
    expect(succeeded).toBeGreaterThan(stopped);
    expect(lines.filter((line) => line.msg === 'task succeeded')).toHaveLength(1);
    expect(lines[succeeded]?.jobId).not.toBe(lines[stopped]?.jobId);
  }, 20_000);

  it('lists the caller’s tasks newest first, with filters', async () => {
    const api = appClient(server.url, user.session.accessToken);
    const all = await api.task.list.query({ limit: 100 });
    expect(all.nextCursor).toBeNull();
    // The tests above started at least five tasks, one of which ended failed.
    expect(all.items.length).toBeGreaterThanOrEqual(5);
    const times = all.items.map((t) => t.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Pages of 2: disjoint, in order, and together exactly the full list.
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await api.task.list.query({ limit: 2, ...(cursor ? { cursor } : {}) });
      pages.push(page.items.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && pages.length < 100);
    expect(pages.every((page) => page.length === 2 || page === pages.at(-1))).toBe(true);
    expect(pages.flat()).toEqual(all.items.map((t) => t.id));
    const failed = await api.task.list.query({ status: 'failed' });
    const expectedFailed = all.items.filter((t) => t.status === 'failed').map((t) => t.id);
    expect(expectedFailed.length).toBeGreaterThan(0);
    expect(failed.items.map((t) => t.id)).toEqual(expectedFailed);
  });
});

describe('task ownership', () => {
  it('another user cannot see, cancel, retry or subscribe: TASK_NOT_FOUND', async () => {
    const owner = server.as(user.session.accessToken);
    const task = await owner.ws.task.createDemo.mutate({ steps: 50, stepMs: 50 });
    const intruder = await registerUser(server);
    const api = appClient(server.url, intruder.session.accessToken);
    expect(await appCodeOf(api.task.get.query({ id: task.id }))).toBe('TASK_NOT_FOUND');
    expect(await appCodeOf(api.task.cancel.mutate({ id: task.id }))).toBe('TASK_NOT_FOUND');
    expect(await appCodeOf(api.task.retry.mutate({ id: task.id }))).toBe('TASK_NOT_FOUND');
    const { error } = await watch(server.as(intruder.session.accessToken).ws, task.id);
    expect((error as { data?: { appCode?: string } }).data?.appCode).toBe('TASK_NOT_FOUND');
    expect((await api.task.list.query({})).items).toEqual([]);
    await appClient(server.url, user.session.accessToken).task.cancel.mutate({ id: task.id });
  });
});

describe('task.list cursors', () => {
  it("another user's task id as cursor answers exactly like an unknown id: VALIDATION_ERROR", async () => {
    const intruder = await registerUser(server);
    const intruderApi = appClient(server.url, intruder.session.accessToken);
    // The intruder's own task is older than the owner's: a cursor read from any user's row would page to it.
    const own = await intruderApi.task.createDemo.mutate({ steps: 1, stepMs: 0 });
    const foreign = await appClient(server.url, user.session.accessToken).task.createDemo.mutate({
      steps: 1,
      stepMs: 0,
    });
    const refusal = (cursor: string) =>
      intruderApi.task.list.query({ cursor }).then(
        () => 'answered',
        (e: unknown) => (e as { data?: unknown; message?: string }).data,
      );
    const [foreignAnswer, unknownAnswer] = await Promise.all([
      refusal(foreign.id),
      refusal('00000000-0000-4000-8000-000000000000'),
    ]);
    expect(foreignAnswer).toMatchObject({
      appCode: 'VALIDATION_ERROR',
      fieldErrors: { cursor: ['is not a cursor from task.list'] },
    });
    const { requestId: _a, ...foreignRest } = foreignAnswer as Record<string, unknown>;
    const { requestId: _b, ...unknownRest } = unknownAnswer as Record<string, unknown>;
    expect(foreignRest).toEqual(unknownRest);
    // The caller's own last task is a valid cursor: an empty page, not an error.
    expect(await intruderApi.task.list.query({ cursor: own.id })).toEqual({ items: [], nextCursor: null });
  });
});

describe('many watchers', () => {
  // Their reads are batched into shared queries: each must still see every change it was woken for,
  // and only its owner's task, even when one batch mixes owners.
  it('each of many subscriptions to the same tasks gets the final state, in order, and only its own', async () => {
    const other = await registerUser(server);
    const mine = server.as(user.session.accessToken).ws;
    const theirs = server.as(other.session.accessToken).ws;
    const [myTask, theirTask] = await Promise.all([
      mine.task.createDemo.mutate({ steps: 5, stepMs: 40 }),
      theirs.task.createDemo.mutate({ steps: 5, stepMs: 40 }),
    ]);
    const watchers = [
      ...Array.from({ length: 40 }, () => watch(mine, myTask.id)),
      ...Array.from({ length: 40 }, () => watch(theirs, theirTask.id)),
    ];
    const intruder = watch(theirs, myTask.id);
    const results = await Promise.all(watchers);
    for (const [i, { events, error }] of results.entries()) {
      expect(error).toBeUndefined();
      const seqs = events.map((e) => Number(e.id));
      expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
      expect(events.at(-1)?.task).toMatchObject({
        id: i < 40 ? myTask.id : theirTask.id,
        status: 'succeeded',
        result: { steps: 5 },
      });
    }
    const { events, error } = await intruder;
    expect(events).toEqual([]);
    expect((error as { data?: { appCode?: string } }).data?.appCode).toBe('TASK_NOT_FOUND');
  });
});
