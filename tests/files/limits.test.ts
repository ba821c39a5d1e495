// The upload limits at their edges: exactly MAX_UPLOAD_BYTES passes and one byte more does not, on every
// entry point; the quota filled exactly; a declared size refused before any byte is read; two concurrent
// uploads that each fit but not together; a PDF declared as text. Refusals leave no row and no blob file.

import { readdir } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocrpcClient } from '../../client/src/index.js';
import type { AppRouter } from '../../src/app-router.js';
import { PDF } from '../fixtures/files.js';
import { registerUser, type TestUser } from '../helpers/auth.js';
import { blobFiles, countRows, type UploadResult, uploadMultipart, uploadRaw } from '../helpers/files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MAX_UPLOAD = 1000;
const QUOTA = 4000;

let server: TestServer<AppRouter>;
let sql: postgres.Sql;
beforeAll(async () => {
  server = await startTestServer({
    env: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD), USER_QUOTA_BYTES: String(QUOTA), AUTH_RATE_LIMIT: '1000' },
  });
  sql = postgres(server.database.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await server?.close();
});

/** Text of exactly `size` bytes, different for each call (content addressing would merge equal ones). */
let made = 0;
function text(size: number): Buffer {
  const label = `${++made}:`;
  return Buffer.concat([Buffer.from(label), Buffer.alloc(size - label.length, 'x')]);
}

async function usedBytes(user: TestUser): Promise<number> {
  const [row] = await sql<{ used: number }[]>`
    select coalesce(sum(size), 0)::int as used from files where owner_id = ${user.session.user.id} and deleted_at is null`;
  return row?.used ?? -1;
}

/** What the store holds now; a refused upload must leave all of it as it was. */
async function storeState() {
  return { rows: await countRows(server.database.url), blobs: await blobFiles(server.config.dataDir) };
}

function typedClient(user: TestUser) {
  return createDocrpcClient({
    url: server.url,
    headers: () => ({ authorization: `Bearer ${user.session.accessToken}` }),
  }).api;
}

async function typedUpload(user: TestUser, bytes: Buffer): Promise<{ size?: number; appCode?: string }> {
  try {
    const file = await typedClient(user).file.upload.mutate(new Blob([new Uint8Array(bytes)]), {
      context: { upload: { name: 'typed.txt' } },
    });
    return { size: file.size };
  } catch (error) {
    return { appCode: (error as { data?: { appCode?: string } }).data?.appCode ?? String(error) };
  }
}

/**
 * Every way in: raw body with Content-Length, raw body chunked, multipart (no declared size), and (unless
 * left out) the typed client.
 */
async function uploadEveryWay(user: TestUser, size: number, options: { typed: boolean }) {
  const token = user.session.accessToken;
  const outcome = (result: UploadResult) => ({
    status: result.status,
    size: result.body.file?.size,
    appCode: result.body.error?.data.appCode,
  });
  return {
    raw: outcome(
      await uploadRaw(server.url, token, text(size), { name: 'a.txt', contentType: 'text/plain' }),
    ),
    chunked: outcome(
      await uploadRaw(server.url, token, text(size), {
        name: 'b.txt',
        contentType: 'text/plain',
        chunked: true,
      }),
    ),
    multipart: outcome(await uploadMultipart(server.url, token, text(size), 'c.txt', {}, 'text/plain')),
    ...(options.typed ? { typed: await typedUpload(user, text(size)) } : {}),
  };
}

/**
 * Sends the headers of a raw upload declaring `size` bytes and no body, and waits for the answer: only a
 * refusal made from the declared size can come back, since nothing else can be known without the bytes.
 */
function declareOnly(user: TestUser, size: number) {
  return new Promise<{ status: number; appCode?: string } | 'no answer'>((resolve, reject) => {
    const req = http.request(new URL(`${server.url}/files?name=declared.txt`), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${user.session.accessToken}`,
        'content-type': 'text/plain',
        'content-length': String(size),
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve('no answer');
    }, 3_000);
    req.on('response', async (res) => {
      clearTimeout(timer);
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString()) as UploadResult['body'];
      req.destroy();
      resolve({ status: res.statusCode ?? 0, appCode: body.error?.data.appCode });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.flushHeaders();
  });
}

describe('MAX_UPLOAD_BYTES, to the byte', () => {
  it('an upload of exactly MAX_UPLOAD_BYTES is accepted, every way in', async () => {
    const user = await registerUser(server);
    const accepted = { status: 201, size: MAX_UPLOAD, appCode: undefined };
    expect(await uploadEveryWay(user, MAX_UPLOAD, { typed: true })).toEqual({
      raw: accepted,
      chunked: accepted,
      multipart: accepted,
      typed: { size: MAX_UPLOAD },
    });
    expect(await usedBytes(user)).toBe(4 * MAX_UPLOAD);
  });

  it('one byte more → FILE_TOO_LARGE every way in, leaving no row and no blob file', async () => {
    const user = await registerUser(server);
    const before = await storeState();
    const refused = { status: 413, size: undefined, appCode: 'FILE_TOO_LARGE' };
    expect(await uploadEveryWay(user, MAX_UPLOAD + 1, { typed: true })).toEqual({
      raw: refused,
      chunked: refused,
      multipart: refused,
      typed: { appCode: 'FILE_TOO_LARGE' },
    });
    expect(await storeState()).toEqual(before);
  });

  it('a declared size over the limit is refused before any byte is sent', async () => {
    const user = await registerUser(server);
    const before = await storeState();
    expect(await declareOnly(user, MAX_UPLOAD + 1)).toEqual({ status: 413, appCode: 'FILE_TOO_LARGE' });
    expect(await storeState()).toEqual(before);
  });
});

describe('USER_QUOTA_BYTES, to the byte', () => {
  /** A user whose live files already take `used` bytes. */
  async function userWith(used: number) {
    const user = await registerUser(server);
    for (let left = used; left > 0; left -= MAX_UPLOAD) {
      const result = await uploadRaw(server.url, user.session.accessToken, text(Math.min(left, MAX_UPLOAD)), {
        name: 'filler.txt',
      });
      expect(result.status).toBe(201);
    }
    expect(await usedBytes(user)).toBe(used);
    return user;
  }

  it('an upload that fills the quota exactly is accepted, with or without a declared size', async () => {
    for (const chunked of [false, true]) {
      const user = await userWith(QUOTA - 700);
      const result = await uploadRaw(server.url, user.session.accessToken, text(700), {
        name: 'last.txt',
        chunked,
      });
      expect(result.status).toBe(201);
      expect(await usedBytes(user)).toBe(QUOTA);
    }
  });

  it('one byte past the quota → QUOTA_EXCEEDED, with or without a declared size, leaving nothing', async () => {
    const user = await userWith(QUOTA - 700);
    const before = await storeState();
    for (const chunked of [false, true]) {
      const result = await uploadRaw(server.url, user.session.accessToken, text(701), {
        name: 'over.txt',
        chunked,
      });
      expect({ status: result.status, appCode: result.body.error?.data.appCode }).toEqual({
        status: 403,
        appCode: 'QUOTA_EXCEEDED',
      });
    }
    expect(await storeState()).toEqual(before);
    expect(await usedBytes(user)).toBe(QUOTA - 700);
  });

  it('a declared size over what is left is refused before any byte is sent', async () => {
    const user = await userWith(QUOTA - 700);
    const before = await storeState();
    expect(await declareOnly(user, 701)).toEqual({ status: 403, appCode: 'QUOTA_EXCEEDED' });
    expect(await storeState()).toEqual(before);
  });

  it('too large for the upload limit while the quota has exactly that limit left → FILE_TOO_LARGE', async () => {
    const user = await userWith(QUOTA - MAX_UPLOAD);
    const result = await uploadRaw(server.url, user.session.accessToken, text(MAX_UPLOAD + 1), {
      name: 'big.txt',
      chunked: true,
    });
    expect({ status: result.status, appCode: result.body.error?.data.appCode }).toEqual({
      status: 413,
      appCode: 'FILE_TOO_LARGE',
    });
  });

  it('two concurrent uploads that each fit but not together: exactly one is stored', async () => {
    const user = await userWith(QUOTA - 1000);
    const before = await storeState();
    const staging = path.join(server.config.dataDir, 'blobs', 'tmp');
    const stagedCount = async () => (await readdir(staging).catch(() => [])).length;
    // Each sends its first bytes, then waits until both are staging: both passed the check made before
    // reading (each fits in what is left), so only the check at commit can refuse one of them.
    const bodies = [text(600), text(600)];
    const requests = bodies.map((body) => {
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const answer = new Promise<{ status: number; appCode?: string }>((resolve, reject) => {
        const req = http.request(new URL(`${server.url}/files?name=race.txt`), {
          method: 'POST',
          headers: {
            authorization: `Bearer ${user.session.accessToken}`,
            'content-type': 'text/plain',
            'content-length': String(body.length),
          },
        });
        req.on('response', async (res) => {
          const chunks: Buffer[] = [];
          for await (const chunk of res) chunks.push(chunk as Buffer);
          const parsed = JSON.parse(Buffer.concat(chunks).toString()) as UploadResult['body'];
          resolve({ status: res.statusCode ?? 0, appCode: parsed.error?.data.appCode });
        });
        req.on('error', reject);
        req.write(body.subarray(0, 100));
        void released.then(() => req.end(body.subarray(100)));
      });
      return { release, answer };
    });
    const deadline = Date.now() + 5_000;
    while ((await stagedCount()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await stagedCount()).toBe(2);
    for (const request of requests) request.release();
    const answers = await Promise.all(requests.map((r) => r.answer));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 403]);
    expect(answers.find((a) => a.status === 403)?.appCode).toBe('QUOTA_EXCEEDED');
    expect(await usedBytes(user)).toBe(QUOTA - 1000 + 600);
    const after = await storeState();
    expect(after.rows).toEqual({ files: before.rows.files + 1, blobs: before.rows.blobs + 1 });
    // One new committed blob, and nothing left staging.
    expect(after.blobs.filter((file) => !before.blobs.includes(file))).toHaveLength(1);
    expect(await stagedCount()).toBe(0);
  });
});

describe('types decided by content', () => {
  it.each(['text/plain', 'text/plain; charset=utf-8', 'text/markdown'])(
    'a PDF declared as %s → 415 FILE_TYPE_INVALID, raw or multipart, leaving nothing',
    async (declared) => {
      const user = await registerUser(server);
      const before = await storeState();
      const raw = await uploadRaw(server.url, user.session.accessToken, PDF, {
        name: 'notes.txt',
        contentType: declared,
      });
      const multipart = await uploadMultipart(
        server.url,
        user.session.accessToken,
        PDF,
        'notes.txt',
        {},
        declared,
      );
      for (const result of [raw, multipart]) {
        expect({ status: result.status, appCode: result.body.error?.data.appCode }).toEqual({
          status: 415,
          appCode: 'FILE_TYPE_INVALID',
        });
      }
      expect(await storeState()).toEqual(before);
    },
  );
});
