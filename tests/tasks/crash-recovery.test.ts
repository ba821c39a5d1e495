// A worker killed with SIGKILL mid-task loses nothing: its heartbeat stops, pg-boss hands the job to
// another worker process, and the task ends succeeded exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import type { TaskOutput } from '../../src/modules/tasks/schemas.js';
import { appClient, registerUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startServerProcess, stopAllServerProcesses, stopServerProcess } from '../helpers/server-process.js';

let api: TestServer<AppRouter>;
beforeAll(async () => {
  // The API process runs no handlers: only the worker children below do.
  api = await startTestServer({ env: { WORKER_ENABLED: 'false' } });
});
afterAll(async () => {
  await stopAllServerProcesses();
  await api?.close();
});

const workerEnv = () => ({
  DATABASE_URL: api.database.url,
  JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long',
  DATA_DIR: api.config.dataDir,
  JOB_SUPERVISE_INTERVAL_SECONDS: '1',
  SHUTDOWN_TIMEOUT_MS: '2000',
});

describe('crash recovery', () => {
  it('a task whose worker is killed mid-run is finished by another worker, once', async () => {
    const user = await registerUser(api);
    const client = appClient(api.url, user.session.accessToken);
    const first = await startServerProcess(workerEnv(), 'worker');
    const task = await client.task.createDemo.mutate({ steps: 30, stepMs: 100 });

    const seen: TaskOutput[] = [];
    const finished = new Promise<void>((resolve, reject) => {
      api
        .as(user.session.accessToken)
        .ws.task.onProgress.subscribe(
          { taskId: task.id },
          { onData: (event) => seen.push(event.data), onError: reject, onComplete: () => resolve() },
        );
    });

    const deadline = Date.now() + 15_000;
    while ((await client.task.get.query({ id: task.id })).progress < 10) {
      if (Date.now() > deadline) throw new Error('the first worker never made progress');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await stopServerProcess(first, 'SIGKILL')).toBe('SIGKILL');
    const stalled = await client.task.get.query({ id: task.id });
    expect(stalled).toMatchObject({ status: 'running', attempts: 1 });

    const second = await startServerProcess(workerEnv(), 'worker');
    await finished;
    const done = await client.task.get.query({ id: task.id });
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2, progress: 100, result: { steps: 30 } });
    // Exactly one terminal state was ever published, and it came last.
    expect(seen.filter((t) => t.status === 'succeeded')).toHaveLength(1);
    expect(seen.at(-1)?.status).toBe('succeeded');
    expect(await stopServerProcess(second, 'SIGTERM')).toBe(0);
  }, 90_000);
});
