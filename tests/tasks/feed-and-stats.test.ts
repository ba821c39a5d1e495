// task.onAnyProgress (a dashboard's feed of all the caller's tasks), task stats, and who may start demos.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import type { TaskOutput } from '../../src/modules/tasks/schemas.js';
import { appClient, appCodeOf, registerUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('task.onAnyProgress and stats', () => {
  let server: TestServer<AppRouter>;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('streams changes of all the caller’s tasks, and none of anyone else’s', async () => {
    const user = await registerUser(server);
    const other = await registerUser(server);
    const { ws } = server.as(user.session.accessToken);
    const seen: TaskOutput[] = [];
    const subscription = ws.task.onAnyProgress.subscribe(undefined, { onData: (task) => seen.push(task) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const a = await ws.task.createDemo.mutate({ steps: 2, stepMs: 20 });
    const b = await ws.task.createDemo.mutate({ steps: 2, stepMs: 20 });
    const theirs = await appClient(server.url, other.session.accessToken).task.createDemo.mutate({
      steps: 1,
      stepMs: 0,
    });
    const deadline = Date.now() + 10_000;
    const done = (id: string) => seen.some((t) => t.id === id && t.status === 'succeeded');
    while (!(done(a.id) && done(b.id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    subscription.unsubscribe();
    expect(done(a.id) && done(b.id)).toBe(true);
    expect(seen.some((t) => t.id === theirs.id)).toBe(false);

    const stats = await appClient(server.url, user.session.accessToken).stats.overview.query();
    expect(stats.tasks.byStatus).toMatchObject({ succeeded: 2, failed: 0 });
    expect(stats.tasks.meanRunSecondsByType).toEqual([
      { type: 'demo', count: 2, meanSeconds: expect.any(Number) },
    ]);
    expect(stats.tasks.meanRunSecondsByType[0]?.meanSeconds).toBeGreaterThan(0);
  });
});

describe('demo tasks in production', () => {
  let server: TestServer<AppRouter>;
  beforeAll(async () => {
    server = await startTestServer({ env: { NODE_ENV: 'production' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('only admins may start them unless DEMO_TASKS_ENABLED says so', async () => {
    const admin = await registerUser(server);
    const user = await registerUser(server);
    expect(
      await appCodeOf(
        appClient(server.url, user.session.accessToken).task.createDemo.mutate({ steps: 1, stepMs: 0 }),
      ),
    ).toBe('FORBIDDEN');
    const task = await appClient(server.url, admin.session.accessToken).task.createDemo.mutate({
      steps: 1,
      stepMs: 0,
    });
    expect(task.status).toBe('queued');
  });
});
