// Extraction threads load under both real entry points, run from TypeScript as `npm start` and
// `npm run worker` run them (node --import tsx): the thread module is TypeScript there too.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import type { TaskOutput } from '../../src/modules/tasks/schemas.js';
import { makePdf } from '../fixtures/pdf.js';
import { appClient, registerUser, type TestUser } from '../helpers/auth.js';
import { uploadRaw } from '../helpers/files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startServerProcess, stopAllServerProcesses, stopServerProcess } from '../helpers/server-process.js';

let api: TestServer<AppRouter>;
beforeAll(async () => {
  // This process runs no handlers: only the child processes below do.
  api = await startTestServer({ env: { WORKER_ENABLED: 'false', AUTH_RATE_LIMIT: '1000' } });
});
afterAll(async () => {
  await stopAllServerProcesses();
  await api?.close();
});

const childEnv = () => ({
  DATABASE_URL: api.database.url,
  JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long',
  DATA_DIR: api.config.dataDir,
  SHUTDOWN_TIMEOUT_MS: '2000',
});

/** Uploads a two-page PDF through `url`, extracts it and waits for the task to end. */
async function extractThrough(url: string, user: TestUser): Promise<TaskOutput> {
  const pdf = makePdf([['Entry point check'], ['Second page']]);
  const { body } = await uploadRaw(url, user.session.accessToken, pdf, { name: 'check.pdf' });
  const client = appClient(url, user.session.accessToken);
  const task = await client.document.extract.mutate({ fileId: body.file?.id ?? '' });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const state = await client.task.get.query({ id: task.id });
    if (state.status !== 'queued' && state.status !== 'running') return state;
    if (Date.now() > deadline) throw new Error(`the task is still ${state.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('extraction threads under the real entry points', () => {
  it('npm start (API and handlers in one process)', async () => {
    const server = await startServerProcess(childEnv(), 'server');
    try {
      const user = await registerUser(server);
      const task = await extractThrough(server.url, user);
      expect(task).toMatchObject({ status: 'succeeded', result: { reused: false } });
      const text = await fetch(
        `${server.url}/documents/${(task.result as { documentId: string }).documentId}/text`,
        {
          headers: { authorization: `Bearer ${user.session.accessToken}` },
        },
      );
      expect(await text.text()).toBe('Entry point check\fSecond page');
    } finally {
      expect(await stopServerProcess(server)).toBe(0);
    }
  });

  it('npm run worker (handlers only, beside an API process)', async () => {
    const worker = await startServerProcess(childEnv(), 'worker');
    try {
      const user = await registerUser(api);
      const task = await extractThrough(api.url, user);
      expect(task).toMatchObject({ status: 'succeeded', result: { reused: false } });
      // The worker logs after it wrote the row: its line may still be in the pipe when the row is read.
      await vi.waitFor(
        () =>
          expect(worker.lines.some((line) => line.msg === 'task succeeded' && line.taskId === task.id)).toBe(
            true,
          ),
        { timeout: 5_000 },
      );
    } finally {
      expect(await stopServerProcess(worker)).toBe(0);
    }
  });
});
