// One request must never stop the server. Malformed and cut-off bodies, on every route that reads a stream,
// go to a real server process: an 'error' event nobody handles ends that process, which is what these tests
// watch for (in-process, vitest reports such an error apart from the test that caused it, or not at all).
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appClient, registerUser } from '../helpers/auth.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { multipartBody, waitForStaged } from '../helpers/files.js';
import { sendCutOff, upgradeRequestHead } from '../helpers/raw-http.js';
import { type ServerProcess, startServerProcess, stopAllServerProcesses } from '../helpers/server-process.js';

let server: ServerProcess;
let database: TestDatabase;
let dataDir: string;
let token: string;
beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'docrpc-test-malformed-'));
  server = await startServerProcess({
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long',
    WORKER_ENABLED: 'false',
    AUTH_RATE_LIMIT: '1000',
  });
  token = (await registerUser(server)).session.accessToken;
}, 60_000);
afterAll(async () => {
  await stopAllServerProcesses();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  appCode: string | undefined;
}

async function post(
  urlPath: string,
  headers: Record<string, string>,
  body: string | Buffer,
): Promise<Answer> {
  const response = await fetch(`${server.url}${urlPath}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...headers },
    body,
  });
  const json = (await response.json()) as { error?: { data?: { appCode?: string } } };
  return { status: response.status, appCode: json.error?.data?.appCode };
}

const multipart = (boundary = 'zz') => ({ 'content-type': `multipart/form-data; boundary=${boundary}` });

/** Sends `body` announcing more bytes than that, and resets the connection once the server has started on it. */
const cutOff = (urlPath: string, headers: Record<string, string>, body: string | Buffer) =>
  sendCutOff(
    server.url,
    {
      path: urlPath,
      headers: { authorization: `Bearer ${token}`, ...headers },
      body,
      declaredLength: 1_000_000,
    },
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
    },
  );

const OVER_TRPC = { 'content-type': 'application/octet-stream' };

/** Each bad request, and what it must be answered (nothing, when the client is gone before the answer). */
const MALFORMED: [string, () => Promise<Answer | 'cut off'>, Answer | 'cut off'][] = [
  [
    'multipart ending before its closing boundary (the curl from issue 10)',
    () =>
      post(
        '/files',
        multipart(),
        '--zz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello',
      ),
    { status: 400, appCode: 'VALIDATION_ERROR' },
  ],
  [
    'multipart ending inside a file part that is not "file"',
    () =>
      post(
        '/files',
        multipart(),
        multipartBody('zz', [{ name: 'other', fileName: 'b.txt', content: 'unfinished' }], { close: false }),
      ),
    { status: 400, appCode: 'VALIDATION_ERROR' },
  ],
  [
    'multipart without a boundary',
    () => post('/files', { 'content-type': 'multipart/form-data' }, multipartBody('zz', [])),
    { status: 400, appCode: 'VALIDATION_ERROR' },
  ],
  [
    'multipart with a malformed part header',
    () => post('/files', multipart(), '--zz\r\nNot A Header\r\n\r\nhello\r\n--zz--\r\n'),
    { status: 400, appCode: 'VALIDATION_ERROR' },
  ],
  [
    'a raw body whose x-file-name is bad percent-encoding',
    () => post('/files', { 'content-type': 'text/plain', 'x-file-name': '%E0%A4%A' }, 'hello'),
    { status: 400, appCode: 'VALIDATION_ERROR' },
  ],
  [
    'a raw body cut off by the client',
    async () => {
      await cutOff('/files', { 'content-type': 'text/plain' }, 'hello, the rest never comes');
      return 'cut off';
    },
    'cut off',
  ],
  [
    'a multipart body cut off by the client inside the file',
    async () => {
      const head = multipartBody('zz', [{ name: 'file', fileName: 'a.txt', content: 'hello' }], {
        close: false,
      });
      await cutOff('/files', multipart(), head.subarray(0, head.length - 2));
      return 'cut off';
    },
    'cut off',
  ],
  [
    'a tRPC upload (file.upload) cut off by the client',
    async () => {
      await cutOff('/trpc/file.upload', OVER_TRPC, 'hello, the rest never comes');
      return 'cut off';
    },
    'cut off',
  ],
  [
    'a WebSocket upgrade on an unknown path, reset by the client once answered',
    async () => {
      const { hostname, port } = new URL(server.url);
      const socket = net.connect(Number(port), hostname);
      socket.on('error', () => {});
      await once(socket, 'connect');
      socket.write(upgradeRequestHead(server.url, '/nowhere'));
      await once(socket, 'data');
      socket.resetAndDestroy();
      return 'cut off';
    },
    'cut off',
  ],
];

/** Still up: /health and a signed-in call answer, nothing was logged as an internal error, nothing staged stays. */
async function expectStillServing(logLinesBefore: number) {
  // An unhandled error ends the process a moment after the request that raised it.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(server.child.exitCode).toBeNull();
  expect(server.child.signalCode).toBeNull();
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  const me = await appClient(server.url, token).auth.me.query();
  expect(me.id).toMatch(/^[0-9a-f-]{36}$/);
  const errors = server.lines.slice(logLinesBefore).filter((line) => Number(line.level) >= 50);
  expect(errors).toEqual([]);
  expect(await waitForStaged(dataDir, (files) => files.length === 0)).toEqual([]);
}

describe('a malformed or cut-off body is refused and the process keeps serving', () => {
  it.each(MALFORMED)('%s', async (_label, send, expected) => {
    const logLinesBefore = server.lines.length;
    expect(await send()).toEqual(expected);
    await expectStillServing(logLinesBefore);
  });

  it('all of them in turn, then the process still answers', async () => {
    const logLinesBefore = server.lines.length;
    for (const [label, send, expected] of MALFORMED) {
      expect({ label, answer: await send() }).toEqual({ label, answer: expected });
    }
    await expectStillServing(logLinesBefore);
  });
});
