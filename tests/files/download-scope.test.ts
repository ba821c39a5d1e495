// GET /files/:id/content with a Bearer API token: the token's files:read scope decides, as it does for
// the tRPC procedures; a session's access token (no scopes) reads its owner's files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import type { ApiScope } from '../../src/db/schema/auth.js';
import { appClient, registerUser, type TestUser } from '../helpers/auth.js';
import { uploadRaw } from '../helpers/files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let user: TestUser;
let fileId: string;
const BYTES = Buffer.from('scoped download content\n');
beforeAll(async () => {
  server = await startTestServer({ env: { AUTH_RATE_LIMIT: '1000' } });
  user = await registerUser(server);
  const result = await uploadRaw(server.url, user.session.accessToken, BYTES, { name: 'scoped.txt' });
  fileId = result.body.file?.id ?? '';
  expect(fileId).not.toBe('');
});
afterAll(async () => {
  await server?.close();
});

async function apiToken(scopes: ApiScope[]): Promise<string> {
  const { secret } = await appClient(server.url, user.session.accessToken).auth.createToken.mutate({
    name: `scopes ${scopes.join(' ')}`,
    scopes,
  });
  return secret;
}

async function download(token: string) {
  const response = await fetch(`${server.url}/files/${fileId}/content`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
}

describe('download with an API token', () => {
  it.each([[['files:write']], [['tasks:read', 'documents:read', 'profile:read']]] as ApiScope[][][])(
    'without files:read (%j) → 403 FORBIDDEN, no bytes',
    async (scopes) => {
      const { status, body } = await download(await apiToken(scopes));
      expect(status).toBe(403);
      expect(body.includes(BYTES)).toBe(false);
      expect(JSON.parse(body.toString())).toMatchObject({ error: { data: { appCode: 'FORBIDDEN' } } });
    },
  );

  it('with files:read → 200 and the bytes', async () => {
    expect(await download(await apiToken(['files:read']))).toEqual({ status: 200, body: BYTES });
  });

  it("with the session's access token → 200 and the bytes", async () => {
    expect(await download(user.session.accessToken)).toEqual({ status: 200, body: BYTES });
  });
});

describe('download links', () => {
  it('an access token is not a download link: same key, other audience → 401', async () => {
    const response = await fetch(`${server.url}/files/${fileId}/content?token=${user.session.accessToken}`);
    expect(response.status).toBe(401);
    expect(Buffer.from(await response.arrayBuffer()).includes(BYTES)).toBe(false);
  });

  it('a link lives DOWNLOAD_URL_TTL_SECONDS (300 by default), to the second', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { url, expiresAt } = await appClient(server.url, user.session.accessToken).file.downloadUrl.mutate({
      id: fileId,
    });
    const after = Math.floor(Date.now() / 1000);
    const seconds = expiresAt.getTime() / 1000;
    expect(Number.isInteger(seconds)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(before + 300);
    expect(seconds).toBeLessThanOrEqual(after + 300);
    expect(url).toMatch(new RegExp(`^/files/${fileId}/content\\?token=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    expect(await fetch(`${server.url}${url}`).then((r) => r.status)).toBe(200);
  });
});
