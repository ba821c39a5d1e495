// Uploads over plain HTTP (raw body and multipart) and the typed client: checked by content, size and
// quota while streaming, content-addressed, and never half-written.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDocrpcClient } from '../../client/src/index.js';
import type { AppRouter } from '../../src/app-router.js';
import { CSV, ELF, GIF, GZIP, HTML, JPEG, JSON_DOC, MARKDOWN, PDF, png, TEXT } from '../fixtures/files.js';
import { registerUser, type TestUser } from '../helpers/auth.js';
import { blobFiles, countRows, uploadMultipart, uploadRaw } from '../helpers/files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MAX_UPLOAD = 256 * 1024;
const QUOTA = 600 * 1024;

let server: TestServer<AppRouter>;
let user: TestUser;
let token: string;
beforeAll(async () => {
  server = await startTestServer({
    env: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD), USER_QUOTA_BYTES: String(QUOTA), AUTH_RATE_LIMIT: '1000' },
  });
  user = await registerUser(server);
  token = user.session.accessToken;
});
afterAll(async () => {
  await server?.close();
});

async function expectNothingLeft(before: { files: number; blobs: number }, blobsBefore: string[]) {
  expect(await countRows(server.database.url)).toEqual(before);
  expect(await blobFiles(server.config.dataDir)).toEqual(blobsBefore);
}

describe('accepted formats, detected from content', () => {
  it.each([
    ['report.txt', TEXT, undefined, 'text/plain'],
    ['notes.md', MARKDOWN, undefined, 'text/markdown'],
    ['data.json', JSON_DOC, 'application/json', 'application/json'],
    ['page.html', HTML, undefined, 'text/html'],
    ['table.csv', CSV, 'text/csv', 'text/csv'],
    ['paper.pdf', PDF, 'application/pdf', 'application/pdf'],
    ['pixel.png', png(), undefined, 'image/png'],
    ['photo.jpg', JPEG, 'image/jpeg', 'image/jpeg'],
  ])('%s → %s', async (name, bytes, declared, mime) => {
    const result = await uploadRaw(server.url, token, bytes, {
      name,
      ...(declared ? { contentType: declared } : {}),
    });
    expect(result.status).toBe(201);
    expect(result.body.file).toMatchObject({ name, mime, size: bytes.length });
  });

  it('a PDF named .txt is still a PDF (names are not trusted)', async () => {
    const result = await uploadRaw(server.url, token, PDF, { name: 'innocent.txt' });
    expect(result.body.file?.mime).toBe('application/pdf');
  });
});

describe('refused uploads leave no row and no bytes', () => {
  it.each([
    ['an executable', ELF, undefined],
    ['a gzip archive', GZIP, undefined],
    ['a GIF (not in the accepted set)', GIF, 'image/gif'],
    ['a PNG declared as PDF', png(), 'application/pdf'],
    ['text declared as PDF', TEXT, 'application/pdf'],
  ])('%s → 415 FILE_TYPE_INVALID', async (_label, bytes, declared) => {
    const before = await countRows(server.database.url);
    const blobsBefore = await blobFiles(server.config.dataDir);
    const result = await uploadRaw(server.url, token, bytes, declared ? { contentType: declared } : {});
    expect(result.status).toBe(415);
    expect(result.body.error?.data.appCode).toBe('FILE_TYPE_INVALID');
    await expectNothingLeft(before, blobsBefore);
  });

  it('a body over MAX_UPLOAD_BYTES → 413 FILE_TOO_LARGE, with or without a Content-Length', async () => {
    const before = await countRows(server.database.url);
    const blobsBefore = await blobFiles(server.config.dataDir);
    const big = Buffer.alloc(MAX_UPLOAD + 1, 'a');
    for (const chunked of [false, true]) {
      const result = await uploadRaw(server.url, token, big, { contentType: 'text/plain', chunked });
      expect(result.status).toBe(413);
      expect(result.body.error?.data.appCode).toBe('FILE_TOO_LARGE');
    }
    await expectNothingLeft(before, blobsBefore);
  });

  it('an upload that would pass the quota → QUOTA_EXCEEDED before its bytes are stored', async () => {
    const other = await registerUser(server);
    const chunk = Buffer.alloc(MAX_UPLOAD - 10, 'q');
    expect((await uploadRaw(server.url, other.session.accessToken, chunk, { name: 'a.txt' })).status).toBe(
      201,
    );
    expect(
      (
        await uploadRaw(server.url, other.session.accessToken, Buffer.alloc(MAX_UPLOAD - 10, 'r'), {
          name: 'b.txt',
        })
      ).status,
    ).toBe(201);
    const before = await countRows(server.database.url);
    const blobsBefore = await blobFiles(server.config.dataDir);
    for (const chunked of [false, true]) {
      const result = await uploadRaw(
        server.url,
        other.session.accessToken,
        Buffer.alloc(MAX_UPLOAD - 10, 's'),
        {
          name: 'c.txt',
          chunked,
        },
      );
      expect(result.status).toBe(403);
      expect(result.body.error?.data.appCode).toBe('QUOTA_EXCEEDED');
    }
    await expectNothingLeft(before, blobsBefore);
  });

  it('a client that disconnects mid-upload leaves nothing behind', async () => {
    const before = await countRows(server.database.url);
    const blobsBefore = await blobFiles(server.config.dataDir);
    const url = new URL(`${server.url}/files?name=partial.txt`);
    await new Promise<void>((resolve) => {
      const req = http.request(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'text/plain',
          'content-length': String(200_000),
        },
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(100_000, 'p'));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100);
    });
    // The server notices the abort asynchronously: wait for the cleanup instead of guessing how long it takes.
    await vi.waitFor(() => expectNothingLeft(before, blobsBefore), { timeout: 5_000 });
  });
});

describe('names, tags and empty files', () => {
  it('sanitises a name with ../ and control characters, keeping unicode', async () => {
    const result = await uploadRaw(server.url, token, TEXT, { name: '../../etc/Résumé\u0007 2024.txt' });
    expect(result.status).toBe(201);
    expect(result.body.file?.name).toBe('Résumé 2024.txt');
  });

  it('accepts a 0-byte file', async () => {
    const result = await uploadRaw(server.url, token, Buffer.alloc(0), { name: 'empty.txt' });
    expect(result.status).toBe(201);
    expect(result.body.file).toMatchObject({ size: 0, mime: 'text/plain' });
  });

  it('multipart: curl -F file=@report.pdf -F tags=q3,finance (fields after the file count too)', async () => {
    const result = await uploadMultipart(
      server.url,
      token,
      PDF,
      'report.pdf',
      { tags: 'Q3,finance' },
      'application/pdf',
    );
    expect(result.status).toBe(201);
    expect(result.body.file).toMatchObject({
      name: 'report.pdf',
      mime: 'application/pdf',
      tags: ['q3', 'finance'],
    });
  });

  it('multipart without a file part → VALIDATION_ERROR', async () => {
    const form = new FormData();
    form.set('tags', 'x');
    const response = await fetch(`${server.url}/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect(response.status).toBe(400);
  });

  it('refuses an upload without credentials, or with a token lacking files:write', async () => {
    const anonymous = await fetch(`${server.url}/files`, { method: 'POST', body: TEXT });
    expect(anonymous.status).toBe(401);
    const { secret } = await createDocrpcClient({
      url: server.url,
      headers: () => ({ authorization: `Bearer ${token}` }),
    }).api.auth.createToken.mutate({ name: 'read only', scopes: ['files:read'] });
    const result = await uploadRaw(server.url, secret, TEXT);
    expect(result.status).toBe(403);
    expect(result.body.error?.data.appCode).toBe('FORBIDDEN');
  });
});

describe('content addressing', () => {
  it('concurrent uploads of the same bytes share one blob; it goes with its last reference', async () => {
    const bytes = Buffer.from(`shared content ${Date.now()}`);
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) => uploadRaw(server.url, token, bytes, { name: `copy${i}.txt` })),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    const sha = results[0]?.body.file?.sha256 ?? '';
    expect(new Set(results.map((r) => r.body.file?.sha256))).toEqual(new Set([sha]));
    const blobPath = `${sha.slice(0, 2)}/${sha}`;
    expect(await blobFiles(server.config.dataDir)).toContain(blobPath);
    const { api } = createDocrpcClient({
      url: server.url,
      headers: () => ({ authorization: `Bearer ${token}` }),
    });
    const ids = results.map((r) => r.body.file?.id ?? '');
    for (const id of ids.slice(0, 3)) await api.file.delete.mutate({ id });
    expect(await blobFiles(server.config.dataDir)).toContain(blobPath);
    const lastOne = await fetch(`${server.url}/files/${ids[3]}/content`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(Buffer.from(await lastOne.arrayBuffer())).toEqual(bytes);
    await api.file.delete.mutate({ id: ids[3] ?? '' });
    expect(await blobFiles(server.config.dataDir)).not.toContain(blobPath);
  });
});

describe('typed client upload (tRPC octet stream)', () => {
  it('streams bytes with name and tags alongside', async () => {
    const { api } = createDocrpcClient({
      url: server.url,
      headers: () => ({ authorization: `Bearer ${token}` }),
    });
    const blob = new Blob([new Uint8Array(PDF.subarray(0, 10)), new Uint8Array(PDF.subarray(10))]);
    const file = await api.file.upload.mutate(blob, {
      context: { upload: { name: 'streamed.pdf', tags: ['Typed', 'client'] } },
    });
    expect(file).toMatchObject({
      name: 'streamed.pdf',
      mime: 'application/pdf',
      size: PDF.length,
      tags: ['typed', 'client'],
    });
    expect(file.createdAt).toBeInstanceOf(Date);
  });

  it('refuses a wrong type through the same checks', async () => {
    const { api } = createDocrpcClient({
      url: server.url,
      headers: () => ({ authorization: `Bearer ${token}` }),
    });
    const error = await api.file.upload
      .mutate(new Blob([new Uint8Array(ELF)]), { context: { upload: { name: 'x' } } })
      .catch((e: unknown) => e);
    expect((error as { data?: { appCode?: string } }).data?.appCode).toBe('FILE_TYPE_INVALID');
  });
});
