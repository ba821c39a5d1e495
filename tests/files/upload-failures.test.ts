// A failed upload leaves nothing behind: whatever refused it (a bad form, size, type, quota, a client that
// hangs up, a server that shuts down), its staged bytes in DATA_DIR/blobs/tmp are removed and no row is
// written; staged bytes a dead process left behind are swept at the next start.
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { ELF, TEXT } from '../fixtures/files.js';
import { registerUser } from '../helpers/auth.js';
import {
  blobFiles,
  countRows,
  multipartBody,
  stagedFiles,
  type UploadResult,
  uploadRaw,
  waitForStaged,
} from '../helpers/files.js';
import { openRawRequest, sendCutOff } from '../helpers/raw-http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MAX_UPLOAD = 256 * 1024;
const QUOTA = 600 * 1024;

let server: TestServer<AppRouter>;
let token: string;
beforeAll(async () => {
  server = await startTestServer({
    env: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD), USER_QUOTA_BYTES: String(QUOTA), AUTH_RATE_LIMIT: '1000' },
  });
  token = (await registerUser(server)).session.accessToken;
});
afterAll(async () => {
  await server?.close();
});

async function postForm(body: Buffer, bearer = token): Promise<UploadResult> {
  const response = await fetch(`${server.url}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'multipart/form-data; boundary=zz' },
    body,
  });
  return { status: response.status, body: (await response.json()) as UploadResult['body'] };
}

/** Runs `act` and checks that it added no row, no blob and, once its cleanup has run, no staged file. */
async function expectNothingLeftBy(act: () => Promise<void>) {
  const rows = await countRows(server.database.url);
  const blobs = await blobFiles(server.config.dataDir);
  expect(await stagedFiles(server.config.dataDir)).toEqual([]);
  await act();
  expect(await waitForStaged(server.config.dataDir, (files) => files.length === 0)).toEqual([]);
  expect(await countRows(server.database.url)).toEqual(rows);
  expect(await blobFiles(server.config.dataDir)).toEqual(blobs);
}

const filePart = (content: string | Buffer, name = 'file') => ({
  name,
  fileName: 'notes.txt',
  type: 'text/plain',
  content,
});

describe('a refused multipart upload removes what it staged', () => {
  it.each([
    [
      'a second file part',
      400,
      'VALIDATION_ERROR',
      multipartBody('zz', [filePart(TEXT), filePart('2nd', 'file2')]),
    ],
    [
      'a malformed part header after the file',
      400,
      'VALIDATION_ERROR',
      Buffer.concat([
        multipartBody('zz', [filePart(TEXT)], { close: false }),
        Buffer.from('--zz\r\nNot A Header\r\n\r\nx\r\n--zz--\r\n'),
      ]),
    ],
    [
      'the form breaking off after the file',
      400,
      'VALIDATION_ERROR',
      Buffer.concat([multipartBody('zz', [filePart(TEXT)], { close: false }), Buffer.from('--zz\r\n')]),
    ],
    [
      'invalid tags given after the file',
      400,
      'VALIDATION_ERROR',
      multipartBody('zz', [filePart(TEXT), { name: 'tags', content: 'not a tag!' }]),
    ],
    [
      'a file over MAX_UPLOAD_BYTES',
      413,
      'FILE_TOO_LARGE',
      multipartBody('zz', [filePart(Buffer.alloc(MAX_UPLOAD + 1, 'a'))]),
    ],
    ['a file of a refused type', 415, 'FILE_TYPE_INVALID', multipartBody('zz', [filePart(ELF)])],
  ])('%s → %i %s', async (_label, status, appCode, body) => {
    await expectNothingLeftBy(async () => {
      const result = await postForm(body);
      expect(result.status).toBe(status);
      expect(result.body.error?.data.appCode).toBe(appCode);
    });
  });
});

describe('over quota: nothing staged stays', () => {
  it('found while streaming a body of unknown length → 403 QUOTA_EXCEEDED', async () => {
    const owner = (await registerUser(server)).session.accessToken;
    for (const fill of ['a', 'b']) {
      const result = await uploadRaw(server.url, owner, Buffer.alloc(MAX_UPLOAD, fill), {
        contentType: 'text/plain',
      });
      expect(result.status).toBe(201);
    }
    await expectNothingLeftBy(async () => {
      const result = await uploadRaw(server.url, owner, Buffer.alloc(QUOTA - 2 * MAX_UPLOAD + 1, 'c'), {
        contentType: 'text/plain',
        chunked: true,
      });
      expect(result.status).toBe(403);
      expect(result.body.error?.data.appCode).toBe('QUOTA_EXCEEDED');
    });
  });

  it('found at commit, when concurrent uploads each fit but not all together → 403, its bytes gone', async () => {
    const owner = (await registerUser(server)).session.accessToken;
    const rows = await countRows(server.database.url);
    const results = await Promise.all(
      ['d', 'e', 'f'].map((fill) =>
        postForm(multipartBody('zz', [filePart(Buffer.alloc(250 * 1024, fill))]), owner),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 403]);
    expect(results.find((r) => r.status === 403)?.body.error?.data.appCode).toBe('QUOTA_EXCEEDED');
    expect(await waitForStaged(server.config.dataDir, (files) => files.length === 0)).toEqual([]);
    expect(await countRows(server.database.url)).toEqual({ files: rows.files + 2, blobs: rows.blobs + 2 });
  });
});

describe('a client that hangs up mid-body leaves nothing staged', () => {
  const cutOnceStaged = (urlPath: string, headers: Record<string, string>, body: string | Buffer) =>
    expectNothingLeftBy(async () => {
      await sendCutOff(
        server.url,
        {
          path: urlPath,
          headers: { authorization: `Bearer ${token}`, ...headers },
          body,
          declaredLength: MAX_UPLOAD,
        },
        async () => {
          // Cut only once the server is writing the bytes to its staging folder.
          expect(await waitForStaged(server.config.dataDir, (files) => files.length === 1)).toHaveLength(1);
        },
      );
    });

  it('raw body (POST /files)', async () => {
    await cutOnceStaged('/files', { 'content-type': 'text/plain' }, 'the start of a long text');
  });

  it('multipart (POST /files)', async () => {
    const start = multipartBody('zz', [filePart('the start of a long text')], { close: false });
    await cutOnceStaged(
      '/files',
      { 'content-type': 'multipart/form-data; boundary=zz' },
      start.subarray(0, start.length - 2),
    );
  });

  it('typed client (file.upload over tRPC)', async () => {
    await cutOnceStaged(
      '/trpc/file.upload',
      { 'content-type': 'application/octet-stream' },
      'the start of a long text',
    );
  });
});

describe('staging across restarts', () => {
  it('a server shut down mid-upload leaves no staged file, whatever the route', async () => {
    const stopping = await startTestServer({ env: { SHUTDOWN_TIMEOUT_MS: '300' } });
    try {
      const owner = (await registerUser(stopping)).session.accessToken;
      const start = multipartBody('zz', [filePart('the start of a long text')], { close: false });
      const uploads: [string, string, string | Buffer][] = [
        ['/files', 'text/plain', 'the start of a long text'],
        ['/files', 'multipart/form-data; boundary=zz', start.subarray(0, start.length - 2)],
        ['/trpc/file.upload', 'application/octet-stream', 'the start of a long text'],
      ];
      const sockets = await Promise.all(
        uploads.map(([urlPath, type, body]) =>
          openRawRequest(stopping.url, {
            path: urlPath,
            headers: { authorization: `Bearer ${owner}`, 'content-type': type },
            body,
            declaredLength: 1024 * 1024,
          }),
        ),
      );
      expect(await waitForStaged(stopping.config.dataDir, (files) => files.length === 3)).toHaveLength(3);
      await stopping.app.stop();
      // No waiting: stop() resolving is when a process exits.
      expect(await stagedFiles(stopping.config.dataDir)).toEqual([]);
      expect((await countRows(stopping.database.url)).files).toBe(0);
      for (const socket of sockets) socket.destroy();
    } finally {
      await stopping.close();
    }
  });

  it('at start, staged files older than UPLOAD_TEMP_MAX_AGE_SECONDS are swept, younger ones kept', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'docrpc-test-sweep-'));
    const staging = path.join(dataDir, 'blobs', 'tmp');
    await mkdir(staging, { recursive: true });
    const old = path.join(staging, 'left-by-a-crash');
    const young = path.join(staging, 'another-process-uploading');
    await writeFile(old, 'stale bytes');
    await writeFile(young, 'bytes still arriving');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(old, twoHoursAgo, twoHoursAgo);
    const fifty = new Date(Date.now() - 50 * 60_000);
    await utimes(young, fifty, fifty);
    const restarted = await startTestServer({ env: { DATA_DIR: dataDir } });
    try {
      expect(await stagedFiles(dataDir)).toEqual(['another-process-uploading']);
      const line = restarted.logs
        .lines()
        .find((l) => l.msg === 'removed staged uploads left by an earlier run');
      expect(line?.removed).toBe(1);
    } finally {
      await restarted.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
