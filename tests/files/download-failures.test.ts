// GET /files/:id/content when things go wrong: a client that stops reading mid-download is not a server
// error and leaves no file open; a blob missing on disk is a clean 500, not a response cut off after its head.
import { once } from 'node:events';
import { readdir, readlink, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { registerUser } from '../helpers/auth.js';
import { uploadRaw } from '../helpers/files.js';
import { openRawRequest } from '../helpers/raw-http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Large enough that the server is still writing when the client hangs up (socket buffers hold a few MiB).
const BIG = Buffer.alloc(16 * 1024 * 1024, 'a');

let server: TestServer<AppRouter>;
let token: string;
beforeAll(async () => {
  server = await startTestServer({ env: { MAX_UPLOAD_BYTES: String(BIG.length), AUTH_RATE_LIMIT: '1000' } });
  token = (await registerUser(server)).session.accessToken;
});
afterAll(async () => {
  await server?.close();
});

async function upload(bytes: Buffer): Promise<{ id: string; sha256: string }> {
  const result = await uploadRaw(server.url, token, bytes, { contentType: 'text/plain' });
  expect(result.status).toBe(201);
  const file = result.body.file;
  if (!file) throw new Error('upload failed');
  return file;
}

/** Descriptors of this process (the server runs in it) open on a blob file. */
async function openBlobDescriptors(sha256: string): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target.endsWith(sha256));
}

describe('download failures', () => {
  it('a client that hangs up mid-download: no error logged, the blob file is closed', async () => {
    const file = await upload(BIG);
    const linesBefore = server.logs.lines().length;
    const socket = await openRawRequest(server.url, {
      method: 'GET',
      path: `/files/${file.id}/content`,
      headers: { authorization: `Bearer ${token}` },
      body: '',
      declaredLength: 0,
    });
    await once(socket, 'data');
    expect(await openBlobDescriptors(file.sha256)).toHaveLength(1);
    socket.resetAndDestroy();

    const deadline = Date.now() + 3_000;
    while ((await openBlobDescriptors(file.sha256)).length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await openBlobDescriptors(file.sha256)).toEqual([]);
    const lines = server.logs.lines().slice(linesBefore);
    expect(lines.find((l) => l.msg === 'request' && l.path === `/files/${file.id}/content`)).toMatchObject({
      aborted: true,
    });
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });

  it('a blob missing on disk → 500 INTERNAL with a request id, before any byte of the file', async () => {
    const file = await upload(Buffer.from('bytes that will vanish'));
    await rm(path.join(server.config.dataDir, 'blobs', file.sha256.slice(0, 2), file.sha256));
    const asked: Record<string, string>[] = [{}, { range: 'bytes=0-4' }];
    for (const headers of asked) {
      const response = await fetch(`${server.url}/files/${file.id}/content`, {
        headers: { authorization: `Bearer ${token}`, ...headers },
      });
      expect(response.status).toBe(500);
      expect(response.headers.get('content-disposition')).toBeNull();
      expect(response.headers.get('etag')).toBeNull();
      const body = (await response.json()) as { error: { data: { appCode: string; requestId: string } } };
      expect(body.error.data.appCode).toBe('INTERNAL');
      expect(body.error.data.requestId).toBe(response.headers.get('x-request-id'));
    }
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
