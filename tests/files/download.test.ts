// GET /files/:id/content: streamed, typed, named (RFC 6266), ETag/304, single Range/206/416, signed links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { appClient, registerUser, type TestUser } from '../helpers/auth.js';
import { uploadRaw } from '../helpers/files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let user: TestUser;
let fileId: string;
let sha: string;
const BYTES = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
beforeAll(async () => {
  server = await startTestServer({ env: { DOWNLOAD_URL_TTL_SECONDS: '2' } });
  user = await registerUser(server);
  const result = await uploadRaw(server.url, user.session.accessToken, BYTES, {
    name: 'Überblick «2024».txt',
  });
  fileId = result.body.file?.id ?? '';
  sha = result.body.file?.sha256 ?? '';
});
afterAll(async () => {
  await server?.close();
});

const get = (headers: Record<string, string> = {}, path = `/files/${fileId}/content`) =>
  fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${user.session.accessToken}`, ...headers },
  });

describe('download', () => {
  it('streams the whole file with type, name, ETag and private caching', async () => {
    const response = await get();
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(BYTES);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('content-length')).toBe(String(BYTES.length));
    expect(response.headers.get('etag')).toBe(`"${sha}"`);
    expect(response.headers.get('cache-control')).toContain('private');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const disposition = response.headers.get('content-disposition') ?? '';
    expect(disposition).toContain("filename*=UTF-8''%C3%9Cberblick%20%C2%AB2024%C2%BB.txt");
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"/);
  });

  it('answers If-None-Match with 304 and no body', async () => {
    const response = await get({ 'if-none-match': `"other", "${sha}"` });
    expect(response.status).toBe(304);
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it.each([
    ['bytes=0-9', 0, 9],
    ['bytes=10-', 10, BYTES.length - 1],
    ['bytes=-5', BYTES.length - 5, BYTES.length - 1],
    ['bytes=30-1000', 30, BYTES.length - 1],
  ])('Range %s → 206 with exactly those bytes', async (range, start, end) => {
    const response = await get({ range });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/${BYTES.length}`);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(BYTES.subarray(start, end + 1));
  });

  it('an unsatisfiable range → 416 with the size', async () => {
    const response = await get({ range: 'bytes=100-200' });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe(`bytes */${BYTES.length}`);
    // The same error body as every other, tRPC's code for a bad request with the status it was sent with.
    expect(await response.json()).toEqual({
      error: {
        message: 'Requested range not satisfiable',
        code: -32600,
        data: {
          code: 'BAD_REQUEST',
          httpStatus: 416,
          appCode: 'VALIDATION_ERROR',
          requestId: response.headers.get('x-request-id'),
          fieldErrors: { range: ['is outside the file'] },
        },
      },
    });
  });

  it('a malformed range, several ranges, or a stale If-Range → the whole file', async () => {
    const cases: Record<string, string>[] = [
      { range: 'bytes=abc' },
      { range: 'bytes=0-1,5-6' },
      { range: 'bytes=0-1', 'if-range': '"stale"' },
    ];
    for (const headers of cases) {
      const response = await get(headers);
      expect(response.status).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBe(BYTES.length);
    }
  });

  it('HEAD gives the headers without the body', async () => {
    const response = await fetch(`${server.url}/files/${fileId}/content`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${user.session.accessToken}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(BYTES.length));
  });

  it('needs credentials', async () => {
    expect((await fetch(`${server.url}/files/${fileId}/content`)).status).toBe(401);
  });
});

describe('file.downloadUrl', () => {
  it('gives a short-lived link that works without credentials, for that file only', async () => {
    const api = appClient(server.url, user.session.accessToken);
    const { url, expiresAt } = await api.file.downloadUrl.mutate({ id: fileId });
    expect(expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(2_000);
    const response = await fetch(`${server.url}${url}`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(BYTES);

    const other = await uploadRaw(server.url, user.session.accessToken, Buffer.from('other file'), {
      name: 'o.txt',
    });
    const token = new URL(url, server.url).searchParams.get('token');
    expect((await fetch(`${server.url}/files/${other.body.file?.id}/content?token=${token}`)).status).toBe(
      401,
    );
    expect((await fetch(`${server.url}${url.slice(0, -3)}abc`)).status).toBe(401);

    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await fetch(`${server.url}${url}`)).status).toBe(401);
  });
});

describe('file.downloadUrl after the credential it came from ends', () => {
  /** A fresh user with one file and a working link to it. */
  async function linkOfNewUser(asToken?: (user: TestUser) => Promise<string>) {
    const owner = await registerUser(server);
    const uploaded = await uploadRaw(server.url, owner.session.accessToken, BYTES, { name: 'l.txt' });
    const id = uploaded.body.file?.id ?? '';
    const bearer = asToken ? await asToken(owner) : owner.session.accessToken;
    const { url } = await appClient(server.url, bearer).file.downloadUrl.mutate({ id });
    expect((await fetch(`${server.url}${url}`)).status).toBe(200);
    return { owner, url };
  }

  async function refusal(url: string) {
    const response = await fetch(`${server.url}${url}`);
    const body = (await response.json()) as { error?: { data?: { appCode?: string } } };
    return { status: response.status, appCode: body.error?.data?.appCode };
  }

  it('stops working after sign-out everywhere', async () => {
    const { owner, url } = await linkOfNewUser();
    await appClient(server.url, owner.session.accessToken).auth.logoutAll.mutate();
    expect(await refusal(url)).toEqual({ status: 401, appCode: 'AUTH_INVALID' });
  });

  it('stops working when an admin disables the account', async () => {
    const { owner, url } = await linkOfNewUser();
    // The first user of the server (`user`) is its admin.
    await appClient(server.url, user.session.accessToken).admin.users.setDisabled.mutate({
      userId: owner.session.user.id,
      disabled: true,
    });
    expect(await refusal(url)).toEqual({ status: 401, appCode: 'AUTH_INVALID' });
  });

  it('issued to an API token, stops working when the token is revoked', async () => {
    let tokenId = '';
    const { owner, url } = await linkOfNewUser(async (owner) => {
      const created = await appClient(server.url, owner.session.accessToken).auth.createToken.mutate({
        name: 'script',
        scopes: ['files:read'],
      });
      tokenId = created.token.id;
      return created.secret;
    });
    await appClient(server.url, owner.session.accessToken).auth.revokeToken.mutate({ id: tokenId });
    expect(await refusal(url)).toEqual({ status: 401, appCode: 'AUTH_INVALID' });
  });
});
