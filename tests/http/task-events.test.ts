// GET /api/tasks/{id}/events: a task's progress as Server-Sent Events, read with a real HTTP client.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { registerUser } from '../helpers/auth.js';
import { rest, restAppCode } from '../helpers/rest.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const HEARTBEAT_MS = 100;
let server: TestServer<AppRouter>;
let token: string;
beforeAll(async () => {
  server = await startTestServer({
    env: { DEMO_TASKS_ENABLED: 'true', SSE_HEARTBEAT_MS: String(HEARTBEAT_MS) },
  });
  token = (await registerUser(server)).session.accessToken;
});
afterAll(async () => {
  await server?.close();
});

interface SseEvent {
  id?: string;
  event?: string;
  data: { id: string; seq: number; status: string; progress: number };
}

interface Stream {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: SseEvent[];
  comments: number;
}

/** Reads the whole stream as curl -N would, parsing events as the SSE spec frames them. */
function follow(taskId: string, headers: Record<string, string> = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      `${server.url}/api/tasks/${taskId}/events`,
      { headers: { authorization: `Bearer ${token}`, ...headers } },
      (response) => {
        let buffer = '';
        const stream: Stream = {
          status: response.statusCode ?? 0,
          headers: response.headers,
          events: [],
          comments: 0,
        };
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields = new Map<string, string>();
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) stream.comments++;
              const colon = line.indexOf(':');
              if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
            }
            const data = fields.get('data');
            if (data === undefined) continue;
            stream.events.push({
              ...(fields.has('id') ? { id: fields.get('id') } : {}),
              ...(fields.has('event') ? { event: fields.get('event') } : {}),
              data: JSON.parse(data) as SseEvent['data'],
            });
          }
        });
        response.on('end', () => resolve(stream));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
  });
}

async function startDemo(steps: number, stepMs: number): Promise<string> {
  const answer = await rest<{ id: string }>(server.url, 'POST', '/api/tasks/demo', {
    token,
    body: { steps, stepMs },
  });
  expect(answer.status).toBe(202);
  return answer.body.id;
}

describe('task events over SSE', () => {
  it('streams the current state, then each change with id = seq, heartbeats, and ends with the task', async () => {
    const taskId = await startDemo(4, 250);
    const stream = await follow(taskId);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(stream.events.length).toBeGreaterThanOrEqual(2);
    const seqs = stream.events.map((event) => Number(event.id));
    expect(seqs).toEqual(stream.events.map((event) => event.data.seq));
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(stream.events.at(-1)?.data).toMatchObject({ id: taskId, status: 'succeeded', progress: 100 });
    // A second of work at a heartbeat every 100 ms: idle stretches were filled.
    expect(stream.comments).toBeGreaterThan(0);
  });

  it('resumes after Last-Event-ID: only what came after it', async () => {
    const taskId = await startDemo(3, 50);
    const whole = await follow(taskId);
    const last = whole.events.at(-1);
    expect(last?.data.status).toBe('succeeded');
    const penultimate = Number(last?.id) - 1;
    const resumed = await follow(taskId, { 'last-event-id': String(penultimate) });
    expect(resumed.events.map((event) => event.id)).toEqual([last?.id]);
    const caughtUp = await follow(taskId, { 'last-event-id': String(last?.id) });
    expect([caughtUp.status, caughtUp.events]).toEqual([200, []]);
  });

  it('answers someone else’s task, or none, 404 TASK_NOT_FOUND as JSON, and no token 401', async () => {
    const taskId = await startDemo(1, 0);
    const other = await registerUser(server);
    const foreign = await rest(server.url, 'GET', `/api/tasks/${taskId}/events`, {
      token: other.session.accessToken,
    });
    expect([foreign.status, restAppCode(foreign)]).toEqual([404, 'TASK_NOT_FOUND']);
    const anonymous = await rest(server.url, 'GET', `/api/tasks/${taskId}/events`);
    expect([anonymous.status, restAppCode(anonymous)]).toEqual([401, 'AUTH_REQUIRED']);
  });
});

/** Opens a task's event stream and resolves once its first event has arrived; `ended` settles when it ends. */
function open(target: TestServer<AppRouter>, bearer: string, taskId: string) {
  return new Promise<{ request: http.ClientRequest; ended: Promise<number> }>((resolve, reject) => {
    const request = http.get(
      `${target.url}/api/tasks/${taskId}/events`,
      { headers: { authorization: `Bearer ${bearer}` } },
      (response) => {
        expect(response.statusCode).toBe(200);
        const ended = new Promise<number>((settle) => {
          response.once('close', () => settle(performance.now()));
        });
        response.once('data', () => resolve({ request, ended }));
        response.resume();
      },
    );
    request.on('error', reject);
  });
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return check();
}

describe('task event streams end with their reader or the server', () => {
  it('stops the server-side watcher when the client closes the stream', async () => {
    const progress = server.app.deps.progress;
    const before = progress.watchers();
    // Steps far apart: no event comes to find the reader gone, the close itself must end the watcher.
    const taskId = await startDemo(3, 20_000);
    const stream = await open(server, token, taskId);
    expect(progress.watchers()).toBe(before + 1);
    stream.request.destroy();
    expect(await until(() => progress.watchers() === before, 1000)).toBe(true);
    // The task itself goes on: only its reader left.
    const task = await rest<{ status: string }>(server.url, 'GET', `/api/tasks/${taskId}`, { token });
    expect(['queued', 'running']).toContain(task.body.status);
    await rest(server.url, 'POST', `/api/tasks/${taskId}/cancel`, { token });
  });

  it('ends open streams at shutdown at once, not after SHUTDOWN_TIMEOUT_MS', async () => {
    const SHUTDOWN_TIMEOUT_MS = 20_000;
    const own = await startTestServer({
      env: { DEMO_TASKS_ENABLED: 'true', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
    });
    try {
      const ownToken = (await registerUser(own)).session.accessToken;
      const started = await rest<{ id: string }>(own.url, 'POST', '/api/tasks/demo', {
        token: ownToken,
        // The in-process worker lets this task finish within the shutdown timeout (its own rule): keep it short.
        body: { steps: 2, stepMs: 2000 },
      });
      const stream = await open(own, ownToken, started.body.id);
      const stopAt = performance.now();
      const stopped = own.app.stop();
      const endedAfterMs = (await stream.ended) - stopAt;
      await stopped;
      // Before the task's next step (2 s away) and long before the drain's deadline.
      expect(endedAfterMs).toBeLessThan(1000);
      expect(own.app.deps.progress.watchers()).toBe(0);
    } finally {
      await own.close();
    }
  }, 60_000);
});
